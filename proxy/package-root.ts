import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The nearest directory at or above `from` holding package.json: the app's root both when
 * run from source (proxy/) and as the compiled bundle (dist/proxy/).
 */
export function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** Where `ng build` puts the PWA, which the proxy serves unless told otherwise. */
export const DEFAULT_STATIC_DIR = join(packageRoot(__dirname), 'dist', 'fieldbook', 'browser');
