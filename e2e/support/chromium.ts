import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's Chromium, headless as root on a machine with no network beyond loopback; Karma uses the same flags. */
export const CHROMIUM_PATH = process.env['CHROME_BIN'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS: string[] = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'test', 'support', 'chromium-flags.json'), 'utf8'),
);
