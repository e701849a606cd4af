import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';

const POUCHDB_DIST = resolve(__dirname, '..', 'node_modules', 'pouchdb', 'dist');
/** PouchDB 9's browser build: the same version and IndexedDB adapter as the app's pouchdb-browser, and pouchdb-find. */
const POUCHDB_SCRIPTS = ['pouchdb.min.js', 'pouchdb.indexeddb.min.js', 'pouchdb.find.min.js'];
// tsx (esbuild, keepNames) wraps named functions in `__name(...)`; functions handed to
// page.evaluate run in the page, which needs the helper too.
export const NAME_HELPER = 'globalThis.__name = globalThis.__name || ((fn) => fn);';

/**
 * A blank page of `origin` with PouchDB's browser build and `scripts` (file name -> source),
 * all served by the browser itself, so the origin may be any server's (or none's).
 */
export async function pouchdbPage(context: BrowserContext, origin: string, scripts: Record<string, string> = {}): Promise<Page> {
  await context.addInitScript(NAME_HELPER);
  const files = [...POUCHDB_SCRIPTS, ...Object.keys(scripts)];
  await context.route(`${origin}/bench/page.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>bench</title>${files.map((file) => `<script src="/bench/${file}"></script>`).join('')}`,
    }),
  );
  for (const file of POUCHDB_SCRIPTS)
    await context.route(`${origin}/bench/${file}`, (route) =>
      route.fulfill({ contentType: 'text/javascript', path: join(POUCHDB_DIST, file) }),
    );
  for (const [file, body] of Object.entries(scripts))
    await context.route(`${origin}/bench/${file}`, (route) => route.fulfill({ contentType: 'text/javascript', body }));
  const page = await context.newPage();
  await page.goto(`${origin}/bench/page.html`);
  return page;
}
