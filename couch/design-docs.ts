/**
 * The design documents the bootstrap installs, as built JSON artefacts: `npm run build:design`
 * compiles them from TypeScript (couch/design/, domain/doc-rules.ts) into
 * dist/couch/design/<name>.json, and this module only reads those files, so the bootstrap
 * runs without the TypeScript compiler (dist/couch/bootstrap.js in the image).
 *
 * Run from source (tsx: npm start, the tests, the CLIs), it first rebuilds the artefacts
 * when they are missing or older than their sources, as npm start does for the proxy bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const FIELDBOOK_DDOC_ID = '_design/fieldbook';
export const READ_ONLY_DDOC_ID = '_design/fieldbook-read-only';

export interface DesignDoc {
  _id: string;
  _rev?: string;
  language: 'javascript';
  validate_doc_update: string;
  views?: Record<string, { map: string; reduce?: string }>;
}

/** Each design document by the name of its artefact. */
export const DESIGN_DOC_NAMES = ['fieldbook', 'read-only'] as const;
export type DesignDocName = (typeof DESIGN_DOC_NAMES)[number];

/** The package root: couch/ from source, dist/couch/ in the bundle. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export const DESIGN_DIR = join(packageRoot(__dirname), 'dist', 'couch', 'design');
export const designArtefactFile = (name: DesignDocName) => join(DESIGN_DIR, `${name}.json`);

/** The design doc installed in every Fieldbook database (validate_doc_update from the shared rules, the conflicts view). */
export function fieldbookDesignDoc(): DesignDoc {
  return designDoc('fieldbook');
}

/** The design doc of a read-only database (a partner's copy of the hub): only the server admin writes. */
export function readOnlyDesignDoc(): DesignDoc {
  return designDoc('read-only');
}

const loaded = new Map<DesignDocName, DesignDoc>();

function designDoc(name: DesignDocName): DesignDoc {
  let doc = loaded.get(name);
  if (!doc) {
    if (__filename.endsWith('.ts')) buildFromSourceIfStale();
    const file = designArtefactFile(name);
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build:design"`);
    doc = JSON.parse(readFileSync(file, 'utf8')) as DesignDoc;
    loaded.set(name, doc);
  }
  return structuredClone(doc);
}

function buildFromSourceIfStale(): void {
  // Named by a variable so that no bundler follows it: the build loads the TypeScript compiler.
  const builder = './design/build';
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when run from source, never bundled
  (require(builder) as typeof import('./design/build')).buildDesignDocsIfStale();
}
