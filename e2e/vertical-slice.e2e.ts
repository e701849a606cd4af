import { expect, test } from '@playwright/test';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { serverInspectionsTitled } from './support/server-docs';
import { goOffline } from './support/inspector';

test('an inspection reaches the server online, waits locally offline, and syncs when back online', async ({ page, context }) => {
  await logIn(page, 'alice');
  const online = `Online ${Date.now()}`;
  await createInspection(page, online);
  await expect(page.getByTestId('inspection-row').filter({ hasText: online })).toBeVisible();
  await expectSyncState(page, 'paused');
  await expect(page.getByTestId('sync-state')).toContainText('up to date');
  await expect.poll(() => serverInspectionsTitled('alice', online).then((docs) => docs.length)).toBe(1);

  await goOffline(page);
  await expectSyncState(page, 'offline');
  await expect(page.getByTestId('sync-state')).toContainText('offline');
  const offline = `Offline ${Date.now()}`;
  await createInspection(page, offline);
  const offlineRow = page.getByTestId('inspection-row').filter({ hasText: offline });
  await expect(offlineRow).toBeVisible();
  // The app holds it as not pushed yet, and the server lacks it.
  await expect(offlineRow.getByTestId('sync-badge')).toHaveAttribute('data-status', 'pending');
  expect(await serverInspectionsTitled('alice', offline)).toEqual([]);

  await context.setOffline(false);
  await expect.poll(() => serverInspectionsTitled('alice', offline).then((docs) => docs.length), { timeout: 20_000 }).toBe(1);
  await expectSyncState(page, 'paused');
  const [stored] = await serverInspectionsTitled('alice', offline);
  expect(stored['createdBy']).toBe('alice');
});
