/**
 * (c) of bench/browser-sync.ts: a tablet that holds many documents. How soon its inspection
 * list shows its first row after a reload, and that it still syncs both ways.
 */
import type { Page } from '@playwright/test';
import type { CouchAdmin } from '../couch/couch-admin';
import { userDbName } from '../domain/user-db-name';

export interface BenchWindow {
  /** When the list's first row entered the DOM (epoch ms), noted by FIRST_ROW_WATCH. */
  benchFirstRowAt?: number;
}

/**
 * An init script: notes in the page when the inspection list's first row enters the DOM, in
 * the same task as Angular puts it there (before the browser paints it).
 */
export const FIRST_ROW_WATCH = `(() => {
  const watch = new MutationObserver(() => {
    if (!document.querySelector('[data-testid="inspection-row"]')) return;
    window.benchFirstRowAt = performance.timeOrigin + performance.now();
    watch.disconnect();
  });
  watch.observe(document, { childList: true, subtree: true });
})();`;

/**
 * Reloads the tablet's page (the list) and returns the milliseconds from the start of the
 * navigation to the list's first row. The page needs FIRST_ROW_WATCH as an init script.
 */
export async function listPaintAfterReload(page: Page): Promise<number> {
  await page.reload();
  await page.getByTestId('inspection-row').first().waitFor({ timeout: 60_000 });
  const paintMs = await page.evaluate(() => (window as unknown as BenchWindow).benchFirstRowAt! - performance.timeOrigin);
  // The app's start goes on after the first row (sync resumes, the list counts): let it settle,
  // or it would share the browser with the next page's measured reload. A tablet has one page.
  await page.locator('[data-testid="sync-state"][data-state="paused"]').waitFor({ timeout: 120_000 });
  return paintMs;
}

/**
 * Waits until the app's background migration walk (LocalMigrationService) is done for this
 * release, as on a tablet that has been in use for a while; returns the seconds it took.
 */
export async function untilMigrationDone(page: Page, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  await page.waitForFunction(
    async () => {
      const db = window.fieldbookDb;
      const progress = db && (await db.get<{ done?: boolean }>('_local/fieldbook-migration').catch(() => null));
      return !!progress?.done;
    },
    undefined,
    { polling: 250, timeout: timeoutMs },
  );
  return (performance.now() - started) / 1000;
}

export interface SyncCheck {
  /** An inspection edited on the tablet until the server holds that revision. */
  upSeconds: number;
  /** A new inspection written on the server until the tablet holds it. */
  downSeconds: number;
}

/** An edit goes up and a server change comes down, each timed until it has arrived. */
export async function syncsBothWays(page: Page, admin: CouchAdmin, user: string, serverDoc: Record<string, unknown>): Promise<SyncCheck> {
  const db = admin.use<{ _rev?: string }>(userDbName(user));
  let started = performance.now();
  const edited = await page.evaluate(async () => {
    const { rows } = await window.fieldbookDb!.allDocs<{ title: string }>({
      startkey: 'inspection:',
      endkey: 'inspection:\uffff',
      limit: 1,
      include_docs: true,
    });
    const doc = rows[0].doc!;
    const { id, rev } = await window.fieldbookDb!.put({ ...doc, title: `${doc.title} (edited)` });
    return { id, rev };
  });
  for (;;) {
    const onServer = await db.get(edited.id).catch(() => null);
    if (onServer?._rev === edited.rev) break;
    await new Promise((done) => setTimeout(done, 10));
  }
  const upSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const { id } = await db.insert(serverDoc);
  await page.waitForFunction(async (id) => !!(await window.fieldbookDb!.get(id).catch(() => null)), id, { polling: 10, timeout: 60_000 });
  return { upSeconds, downSeconds: (performance.now() - started) / 1000 };
}
