/**
 * `npm run build:proxy`: compiles the proxy's production entry (proxy/main.ts) with its
 * dependencies into one JavaScript file, dist/proxy/main.js, run with plain `node`: no tsx,
 * no TypeScript compiler, no bootstrap or embedded-server code. The build fails if any of
 * those would end up in it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
export const PROXY_ENTRY = join(ROOT, 'proxy', 'main.ts');
export const PROXY_BUNDLE = join(ROOT, 'dist', 'proxy', 'main.js');
/** What the proxy process must never load (module paths as esbuild names its inputs). */
const FORBIDDEN = [/node_modules\/typescript\//, /node_modules\/tsx\//, /node_modules\/pouchdb/, /couch\/bootstrap\.ts$/, /couch\/embedded-couch\.ts$/, /couch\/design\//];

/** Builds the bundle; throws if it fails or pulls in something forbidden. */
export async function buildProxy(): Promise<void> {
  // A devDependency: only the build needs it (the image copies the result).
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [PROXY_ENTRY],
    outfile: PROXY_BUNDLE,
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
  if (loaded.length > 0) throw new Error(`The proxy bundle would load ${loaded.join(', ')}`);
}

/** Whether the bundle is missing or older than a source it is built from. */
export function proxyBuildIsStale(): boolean {
  if (!existsSync(PROXY_BUNDLE)) return true;
  const builtAt = statSync(PROXY_BUNDLE).mtimeMs;
  const sources = [join(ROOT, 'proxy'), join(ROOT, 'couch'), join(ROOT, 'package-lock.json')];
  return sources.some((path) => newerThan(path, builtAt));
}

/** Builds the bundle when stale, and says so; a bundle shipped without esbuild (no devDependencies) is used as it is. */
export async function buildProxyIfStale(): Promise<void> {
  if (!proxyBuildIsStale()) return;
  if (existsSync(PROXY_BUNDLE) && !canResolve('esbuild')) return;
  console.log('Building the proxy (dist/proxy/main.js)...');
  await buildProxy();
}

function canResolve(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

function newerThan(path: string, time: number): boolean {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs > time;
  return readdirSync(path).some((entry) => newerThan(join(path, entry), time));
}

if (require.main === module) {
  buildProxy().then(
    () => console.log(`Built ${PROXY_BUNDLE}`),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
