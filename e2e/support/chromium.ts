/** Debian's Chromium, headless as root on a machine with no network beyond loopback. */
export const CHROMIUM_PATH = process.env['CHROME_BIN'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
