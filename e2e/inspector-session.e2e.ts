import { expect, test } from '@playwright/test';
import { deleteUserSessions } from '../couch/user-sessions';
import { SESSION_COOKIE } from '../proxy/authenticate';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { DEMO_PASSWORD } from './support/e2e-env';
import { freshInspector, goOffline, localIds, openInspection, serverDoc, serverIds } from './support/inspector';
import { serverAdmin } from './support/server-admin';

test('a session removed on the server while offline: work goes on, reconnecting asks to sign in again, then every pending doc reaches the server', async ({
  page,
  context,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const user = await freshInspector('session');
  await logIn(page, user);
  const synced = `Synced before ${Date.now()}`;
  await createInspection(page, synced);
  await expectSyncState(page, 'paused');
  await expect.poll(() => serverIds(user).then((ids) => ids.length)).toBe(1);

  await goOffline(page);
  await expectSyncState(page, 'offline');
  const deleted = await deleteUserSessions(serverAdmin(), user);
  expect(deleted.length).toBeGreaterThan(0);

  // The user keeps working: two new inspections, an edit, and a defect.
  const titles = [`Written offline A ${Date.now()}`, `Written offline B ${Date.now()}`];
  for (const title of titles) await createInspection(page, title);
  const syncedId = await openInspection(page, synced);
  await page.getByTestId('inspection-notes').fill('Edited while the session was gone');
  await page.getByTestId('save-inspection').click();
  await expect(page.getByTestId('sync-badge')).toHaveAttribute('data-status', 'pending');
  await page.getByTestId('add-defect').click();
  await page.getByTestId('defect-title').fill('Handrail loose');
  await page.getByTestId('severity-3').click();
  await page.getByTestId('save-defect').click();
  await expect(page).toHaveURL(/\/defects\/defect:/);

  await page.getByTestId('sync-state').click();
  await expect(page.getByTestId('pending-count')).toHaveText('4');
  const pending = await localIds(page);
  expect(pending).toHaveLength(4);
  await expect(page.getByTestId('relogin-password')).toHaveCount(0);

  // Wait until the proxy refuses the deleted session (it may use its cache of it for up to
  // 10 s), so reconnecting meets a 401. Asked from here, not the offline page, with its cookie.
  const { value: sessionId } = (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE)!;
  const sessionStatus = async () =>
    (await fetch(new URL('/api/session', baseURL), { headers: { cookie: `${SESSION_COOKIE}=${sessionId}` } })).status;
  await expect.poll(sessionStatus, { timeout: 60_000, message: 'the proxy to refuse the deleted session' }).toBe(401);
  await context.setOffline(false);
  await expect(page.getByTestId('relogin-password')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('sync-state')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('sync-state')).toContainText('session expired');
  // Nothing got through without a session.
  expect(await serverIds(user)).toHaveLength(1);
  expect((await serverDoc(user, syncedId))?.['notes']).toBeUndefined();

  await page.getByTestId('relogin-password').fill(DEMO_PASSWORD);
  await page.getByTestId('relogin-submit').click();
  await expect(page.getByTestId('relogin-password')).toHaveCount(0);
  await expectSyncState(page, 'paused');
  await expect(page.getByTestId('pending-count')).toHaveText('0');

  // Every pending doc is on the server, at the device's revision.
  const localRevs = await page.evaluate(async (ids) => {
    const { rows } = await window.fieldbookDb!.allDocs({ keys: ids });
    return rows.map((row) => ('value' in row ? row.value.rev : null));
  }, pending);
  await expect.poll(() => Promise.all(pending.map(async (id) => (await serverDoc(user, id))?.['_rev'] ?? null))).toEqual(localRevs);
  const onServer = await Promise.all(pending.map((id) => serverDoc(user, id)));
  expect(onServer.map((doc) => doc?.['title']).sort()).toEqual([...titles, synced, 'Handrail loose'].sort());
  expect(onServer.find((doc) => doc?.['title'] === synced)?.['notes']).toBe('Edited while the session was gone');
});
