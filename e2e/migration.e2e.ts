import { expect, test, type Browser, type Page } from '@playwright/test';
import { inspection } from '../test/fixtures/documents';
import { expectSyncState, logIn } from './support/app-actions';
import { freshInspector, serverDoc } from './support/inspector';

type Doc = Record<string, unknown> & { _id: string; _rev: string; _conflicts?: string[] };

/**
 * A tablet of `user`: its own browser profile (local database, device id), logged in and synced.
 * Without the service worker, whose requests `page.route` would not see.
 */
async function tablet(browser: Browser, user: string): Promise<Page> {
  const page = await (await browser.newContext({ serviceWorkers: 'block' })).newPage();
  await logIn(page, user);
  await expectSyncState(page, 'paused');
  return page;
}

/** The tablet's local copies of `ids` (null where missing), with their conflicts. */
function localDocs(page: Page, ids: string[]): Promise<(Doc | null)[]> {
  return page.evaluate(
    (keys) => Promise.all(keys.map((id) => window.fieldbookDb!.get(id, { conflicts: true }).catch(() => null))),
    ids,
  ) as Promise<(Doc | null)[]>;
}

/** Whether this release's walk of the local database is done (LocalMigrationService's progress). */
function migrationDone(page: Page): Promise<boolean> {
  return page.evaluate(() =>
    window
      .fieldbookDb!.get<{ done: boolean }>('_local/fieldbook-migration')
      .then((progress) => progress.done)
      .catch(() => false),
  );
}

test('an app update migrates the unsynced records it finds in the old shape and syncs them; a tablet still writing the old shape keeps syncing', async ({
  browser,
}) => {
  const user = await freshInspector('migrate');
  const updated = await tablet(browser, user);

  // The tablet as the release before left it: edits made out of coverage, in the old shape
  // (no schema, no priority), and no migration progress (that release had none).
  await updated.route('**/db/**', (route) => route.abort());
  const offline = Array.from({ length: 20 }, (_, n) => inspection(user, { title: `Offline ${n + 1}` }));
  const ids = offline.map((doc) => doc._id);
  await updated.evaluate(async (docs) => {
    const db = window.fieldbookDb!;
    await db.bulkDocs(docs);
    const progress = await db.get('_local/fieldbook-migration').catch(() => null);
    if (progress) await db.remove(progress);
  }, offline);

  // The update: the new release starts, still out of coverage, and migrates them in place.
  await updated.reload();
  await updated.waitForFunction(() => !!window.fieldbookDb);
  await expect
    .poll(async () => (await localDocs(updated, ids)).map((doc) => [doc?.['schema'], doc?.['priority'], doc?._rev.slice(0, 2)]), {
      timeout: 60_000,
    })
    .toEqual(ids.map(() => [2, 'normal', '2-']));
  expect(await serverDoc(user, ids[0])).toBeNull();

  // Back in coverage: they sync as any edit, in the new shape.
  await updated.unroute('**/db/**');
  await expect
    .poll(async () => Promise.all(ids.map(async (id) => (await serverDoc(user, id))?.['schema'] ?? null)), { timeout: 60_000 })
    .toEqual(ids.map(() => 2));
  await expect(updated.getByTestId('inspection-row').filter({ hasText: 'Offline 1' }).first()).toBeVisible();

  // A second tablet, on the release before: it gets the migrated records and writes the old shape, which the server still takes.
  const old = await tablet(browser, user);
  await expect.poll(() => migrationDone(old), { timeout: 60_000 }).toBe(true);
  expect((await localDocs(old, ids)).every((doc) => doc?.['schema'] === 2)).toBe(true);
  const written = inspection(user, { title: 'Written by the old release' });
  await old.evaluate((doc) => window.fieldbookDb!.put(doc), written);
  await expect.poll(async () => (await serverDoc(user, written._id))?.['title'] ?? null, { timeout: 60_000 }).toBe(written.title);
  expect((await serverDoc(user, written._id))?.['schema']).toBeUndefined();
  await expect(updated.getByTestId('inspection-row').filter({ hasText: 'Written by the old release' })).toBeVisible({ timeout: 60_000 });

  // No conflicts on either tablet: the migration wrote one revision of each record, once.
  for (const page of [updated, old]) {
    expect((await localDocs(page, [...ids, written._id])).filter((doc) => doc?._conflicts?.length)).toEqual([]);
  }
});
