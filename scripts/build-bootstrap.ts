/**
 * `npm run build:bootstrap`: compiles the container's bootstrap (couch/bootstrap-main.ts)
 * with its dependencies into one JavaScript file, dist/couch/bootstrap.js, run with plain
 * `node`. It reads the design documents from dist/couch/design/*.json (`npm run
 * build:design`), so it needs neither tsx nor the TypeScript compiler; the build fails if
 * either, the design sources, the embedded server or the proxy would be bundled.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
export const BOOTSTRAP_ENTRY = join(ROOT, 'couch', 'bootstrap-main.ts');
export const BOOTSTRAP_BUNDLE = join(ROOT, 'dist', 'couch', 'bootstrap.js');
const FORBIDDEN = [/node_modules\/typescript\//, /node_modules\/tsx\//, /node_modules\/pouchdb/, /couch\/design\//, /couch\/embedded-couch\.ts$/, /couch\/pouchdb-server-main\.ts$/, /^proxy\//];

/** Builds the bundle; throws if it fails or pulls in something forbidden. */
export async function buildBootstrap(): Promise<void> {
  // A devDependency: only the build needs it (the image copies the result).
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [BOOTSTRAP_ENTRY],
    outfile: BOOTSTRAP_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const loaded = Object.keys(result.metafile.inputs).filter((input) => FORBIDDEN.some((pattern) => pattern.test(input)));
  if (loaded.length > 0) throw new Error(`The bootstrap bundle would load ${loaded.join(', ')}`);
}

/** Whether the bundle is missing or older than a source it is built from. */
export function bootstrapBuildIsStale(): boolean {
  if (!existsSync(BOOTSTRAP_BUNDLE)) return true;
  const builtAt = statSync(BOOTSTRAP_BUNDLE).mtimeMs;
  return [join(ROOT, 'couch'), join(ROOT, 'domain'), join(ROOT, 'package-lock.json')].some((path) => newerThan(path, builtAt));
}

export async function buildBootstrapIfStale(): Promise<void> {
  if (bootstrapBuildIsStale()) await buildBootstrap();
}

function newerThan(path: string, time: number): boolean {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs > time;
  return readdirSync(path).some((entry) => newerThan(join(path, entry), time));
}

if (require.main === module) {
  buildBootstrap().then(
    () => console.log(`Built ${BOOTSTRAP_BUNDLE}`),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
