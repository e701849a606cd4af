/**
 * Compiles the design documents from their TypeScript sources into JSON artefacts
 * (dist/couch/design/<name>.json), which the bootstrap reads (couch/design-docs.ts). Build
 * time only: this loads the TypeScript compiler (couch-function.ts).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DESIGN_DIR, DESIGN_DOC_NAMES, designArtefactFile, type DesignDoc, type DesignDocName } from '../design-docs';
import { fieldbookDesignDoc } from './fieldbook-design-doc';
import { readOnlyDesignDoc } from './read-only-design-doc';
import { isStale } from '../../scripts/stale-files';

const ROOT = resolve(__dirname, '..', '..');
/** What the artefacts are compiled from (the compiler's version is in the lock file). */
const SOURCES = [
  join(ROOT, 'couch', 'design'),
  join(ROOT, 'couch', 'design-docs.ts'),
  join(ROOT, 'domain'),
  join(ROOT, 'package-lock.json'),
];

const COMPILERS: Record<DesignDocName, () => DesignDoc> = {
  fieldbook: fieldbookDesignDoc,
  'read-only': readOnlyDesignDoc,
};

/** The artefact's exact text, compiled from source now. */
export function compiledDesignDocText(name: DesignDocName): string {
  return JSON.stringify(COMPILERS[name](), null, 2) + '\n';
}

/** Writes every artefact (each replaced in one rename, so a concurrent reader never sees half a file). */
export function buildDesignDocs(): string[] {
  mkdirSync(DESIGN_DIR, { recursive: true });
  return DESIGN_DOC_NAMES.map((name) => {
    const file = designArtefactFile(name);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, compiledDesignDocText(name));
    renameSync(temporary, file);
    return file;
  });
}

/** Whether an artefact is missing or older than a source it is compiled from. */
export function designBuildIsStale(): boolean {
  return isStale(DESIGN_DOC_NAMES.map(designArtefactFile), SOURCES);
}

export function buildDesignDocsIfStale(): void {
  if (designBuildIsStale()) buildDesignDocs();
}
