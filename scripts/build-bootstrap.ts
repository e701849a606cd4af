/**
 * `npm run build:bootstrap`: compiles the server-side tools the image runs, each with its
 * dependencies into one JavaScript file run with plain `node`:
 *   dist/couch/bootstrap.js      the container's bootstrap (couch/bootstrap-main.ts)
 *   dist/couch/user-cli.js       `npm run user` (couch/user-cli.ts), against COUCH_URL
 *   dist/couch/conflicts-cli.js  `npm run conflicts` (couch/conflicts-cli.ts)
 *   dist/couch/migrate-cli.js    `npm run migrate` (couch/migrate-cli.ts)
 *   dist/couch/settings-cli.js   `npm run settings` (couch/settings-cli.ts)
 *   dist/couch/photos-cli.js     `npm run photos` (couch/photos-cli.ts)
 * They read the design documents from dist/couch/design/*.json (`npm run build:design`), so
 * they need neither tsx nor the TypeScript compiler; the build fails if either, the design
 * sources, PouchDB (the embedded server) or the proxy would be bundled, or if the bootstrap
 * would bundle the embedded server's supervisor.
 */
import { join, resolve } from 'node:path';
import { bundleForNode } from './node-bundle';
import { isStale } from './stale-files';

const ROOT = resolve(__dirname, '..');
const OUT_DIR = join(ROOT, 'dist', 'couch');
const ENTRIES = {
  bootstrap: join(ROOT, 'couch', 'bootstrap-main.ts'),
  'user-cli': join(ROOT, 'couch', 'user-cli.ts'),
  'conflicts-cli': join(ROOT, 'couch', 'conflicts-cli.ts'),
  'migrate-cli': join(ROOT, 'couch', 'migrate-cli.ts'),
  'settings-cli': join(ROOT, 'couch', 'settings-cli.ts'),
  'photos-cli': join(ROOT, 'couch', 'photos-cli.ts'),
};
export const BOOTSTRAP_BUNDLE = join(OUT_DIR, 'bootstrap.js');
export const USER_CLI_BUNDLE = join(OUT_DIR, 'user-cli.js');
const FORBIDDEN = [
  /node_modules\/typescript\//,
  /node_modules\/tsx\//,
  /node_modules\/pouchdb/,
  /couch\/design\//,
  /couch\/pouchdb-server-main\.ts$/,
  /^proxy\//,
];
/** Only the CLIs may read the embedded server's credentials (COUCH_URL unset); the bootstrap never starts or finds one. */
const FORBIDDEN_IN_BOOTSTRAP = [/couch\/embedded-couch\.ts$/];

/** Builds the bundles; throws if it fails or pulls in something forbidden. */
export async function buildBootstrap(): Promise<void> {
  await bundleForNode({
    entryPoints: ENTRIES,
    outdir: OUT_DIR,
    // The embedded server's supervisor names tsx only when it starts a server, which the bundles never do.
    external: ['tsx'],
    forbidden: (output) => (output.endsWith('/bootstrap.js') ? [...FORBIDDEN, ...FORBIDDEN_IN_BOOTSTRAP] : FORBIDDEN),
  });
}

/** Whether a bundle is missing or older than a source it is built from. */
export function bootstrapBuildIsStale(): boolean {
  const bundles = Object.keys(ENTRIES).map((name) => join(OUT_DIR, `${name}.js`));
  return isStale(
    bundles,
    ['couch', 'domain', 'package-lock.json'].map((path) => join(ROOT, path)),
  );
}

export async function buildBootstrapIfStale(): Promise<void> {
  if (bootstrapBuildIsStale()) await buildBootstrap();
}

if (require.main === module) {
  buildBootstrap().then(
    () =>
      console.log(
        `Built ${Object.keys(ENTRIES)
          .map((name) => join(OUT_DIR, `${name}.js`))
          .join(', ')}`,
      ),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
