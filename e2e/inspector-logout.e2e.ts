import { expect, test } from '@playwright/test';
import { userDbName } from '../domain/user-db-name';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { DEMO_PASSWORD } from './support/e2e-env';
import { freshInspector, goOffline, localIds, openInspection, serverIds } from './support/inspector';

test("logout with pending changes warns with their count; the next user on the same browser sees none of the first user's data", async ({
  page,
  context,
}) => {
  const first = await freshInspector('first');
  const second = await freshInspector('second');
  await logIn(page, first);
  const synced = `First user's synced ${Date.now()}`;
  await createInspection(page, synced);
  await expect.poll(() => serverIds(first).then((ids) => ids.length)).toBe(1);
  await expectSyncState(page, 'paused');

  // Three changes that cannot reach the server: two new inspections and an edit.
  await goOffline(page);
  await expectSyncState(page, 'offline');
  const unsynced = [`First user's offline A ${Date.now()}`, `First user's offline B ${Date.now()}`];
  for (const title of unsynced) await createInspection(page, title);
  await openInspection(page, synced);
  await page.getByTestId('inspection-notes').fill('Edited offline');
  await page.getByTestId('save-inspection').click();
  await expect(page.getByTestId('sync-badge')).toHaveAttribute('data-status', 'pending');
  await page.getByTestId('sync-state').click();
  await expect(page.getByTestId('pending-count')).toHaveText('3');

  // The warning names the count; staying keeps everything.
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('logout-message')).toContainText('3 changes have not reached the server');
  await page.getByTestId('logout-cancel').click();
  await expect(page.getByTestId('logout-message')).toHaveCount(0);
  await expect(page).toHaveURL(/\/sync$/);
  expect(await localIds(page)).toHaveLength(3);

  // Logging out anyway deletes this device's copy.
  const firstUsersDbs = () =>
    page.evaluate(async (db) => (await indexedDB.databases()).filter(({ name }) => name?.includes(db)).length, userDbName(first));
  expect(await firstUsersDbs()).toBeGreaterThan(0);
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('logout-message')).toContainText('3 changes have not reached the server');
  await page.getByTestId('logout-confirm').click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId('login-name')).toBeVisible();
  await expect.poll(firstUsersDbs).toBe(0);

  // The second user, same browser.
  await context.setOffline(false);
  await page.getByTestId('login-name').fill(second);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expectSyncState(page, 'paused');
  await expect(page.getByTestId('inspection-empty')).toHaveText('No inspections yet.');
  await expect(page.getByTestId('inspection-row')).toHaveCount(0);
  for (const title of [synced, ...unsynced]) await expect(page.getByText(title)).toHaveCount(0);
  await page.getByTestId('inspection-search').fill('First user');
  await expect(page.getByTestId('inspection-empty')).toHaveText('No inspections match.');
  expect(await localIds(page)).toEqual([]);
  await page.getByTestId('sync-state').click();
  await expect(page.getByTestId('pending-count')).toHaveText('0');
  await expect(page.getByTestId('rejected-count')).toHaveText('0');
  // Nothing of the first user is left in this browser's storage.
  const databases = await page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name));
  expect(databases.filter((name) => name?.includes(userDbName(first)))).toEqual([]);
  const storage = await page.evaluate(() => JSON.stringify(localStorage));
  expect(storage).not.toContain(first);
  expect(storage).not.toContain(userDbName(first));
  // The second user's session really is the second user's.
  expect(
    await page.evaluate(() =>
      fetch('/api/session')
        .then((r) => r.json())
        .then((s) => s.name),
    ),
  ).toBe(second);
  expect(await serverIds(second)).toEqual([]);
});
