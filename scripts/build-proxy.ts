/**
 * `npm run build:proxy`: compiles the proxy's production entry (proxy/main.ts) with its
 * dependencies into one JavaScript file, dist/proxy/main.js, run with plain `node`: no tsx,
 * no TypeScript compiler, no bootstrap or embedded-server code. The build fails if any of
 * those would end up in it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleForNode } from './node-bundle';
import { isStale } from './stale-files';

const ROOT = resolve(__dirname, '..');
export const PROXY_ENTRY = join(ROOT, 'proxy', 'main.ts');
export const PROXY_BUNDLE = join(ROOT, 'dist', 'proxy', 'main.js');
/**
 * Node's flags for the proxy process (node:cluster workers inherit them). V8 lets its young
 * generation grow to 16 MB semi-spaces; with thousands of feeds open each scavenge of one copied
 * tens of MB of live request state (pauses of 50-90 ms), and its pages stayed in the RSS. 2 MB
 * keeps the same garbage in more, shorter scavenges: bench/README.md, "The proxy's young generation".
 */
export const PROXY_NODE_FLAGS = ['--max-semi-space-size=2'];
/** The proxy's command line after `node`. */
export const PROXY_ARGS = [...PROXY_NODE_FLAGS, PROXY_BUNDLE];
/** What the proxy process must never load (module paths as esbuild names its inputs). */
const FORBIDDEN = [
  /node_modules\/typescript\//,
  /node_modules\/tsx\//,
  /node_modules\/pouchdb/,
  /couch\/bootstrap\.ts$/,
  /couch\/embedded-couch\.ts$/,
  /couch\/design\//,
];

/** Builds the bundle; throws if it fails or pulls in something forbidden. */
export async function buildProxy(): Promise<void> {
  await bundleForNode({ entryPoints: { main: PROXY_ENTRY }, outdir: dirname(PROXY_BUNDLE), forbidden: () => FORBIDDEN });
}

/** Whether the bundle is missing or older than a source it is built from. */
export function proxyBuildIsStale(): boolean {
  return isStale(
    [PROXY_BUNDLE],
    ['proxy', 'domain', 'couch', 'package-lock.json'].map((path) => join(ROOT, path)),
  );
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

if (require.main === module) {
  buildProxy().then(
    () => console.log(`Built ${PROXY_BUNDLE}`),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
