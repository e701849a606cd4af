import { expect, test } from '@playwright/test';
import { HUB_DB } from '../domain/db-names';
import { inspection } from '../test/fixtures/documents';
import { expectSyncState, logIn, pick } from './support/app-actions';
import { freshInspector, goOffline, localIds, openInspection, serverDoc } from './support/inspector';
import { serverAdmin } from './support/server-admin';

/** Server-side replication (hub → inspector databases, and back) and the tablets' live pulls. */
const REPLICATION_MS = 30_000;

test('a supervisor reassigns an inspection from alice to bob while alice has an unsynced defect: back online, her defect is pushed first, she is told, and the inspection leaves her tablet; bob has it, her defect included', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const alice = await freshInspector('alice');
  const bob = await freshInspector('bob');
  const title = `Loading bay ${Date.now()}`;
  const assignment = inspection('sam', { title, site: 'Dock 2', assignedTo: alice });
  await serverAdmin()
    .use(HUB_DB)
    .insert(assignment as never);
  // In her server database first: the new users' replication jobs have done their first pass.
  await expect.poll(() => serverDoc(alice, assignment._id), { timeout: REPLICATION_MS }).not.toBeNull();

  // Alice's tablet gets it, and goes out of coverage.
  const aliceContext = await browser.newContext();
  const aliceTablet = await aliceContext.newPage();
  await logIn(aliceTablet, alice);
  await expectSyncState(aliceTablet, 'paused');
  const aliceRows = aliceTablet.getByTestId('inspection-row').filter({ hasText: title });
  await expect(aliceRows).toBeVisible({ timeout: REPLICATION_MS });
  // The inspection page's code comes from the service worker once offline: it must hold the shell.
  await goOffline(aliceTablet);
  await expectSyncState(aliceTablet, 'offline');
  // Offline, she records a defect: it waits on her tablet.
  await openInspection(aliceTablet, title);
  await aliceTablet.getByTestId('add-defect').click();
  await aliceTablet.getByTestId('defect-title').fill('Dock leveller sticks');
  await aliceTablet.getByTestId('severity-2').click();
  await aliceTablet.getByTestId('save-defect').click();
  await expect(aliceTablet).toHaveURL(/\/defects\/defect:/);
  const defectId = decodeURIComponent(/defects\/(defect:[^/?]+)/.exec(aliceTablet.url())![1]);
  await aliceTablet.getByTestId('nav-inspections').click();
  expect(await serverDoc(alice, defectId)).toBeNull();

  // Bob's tablet, online.
  const bobContext = await browser.newContext();
  const bobTablet = await bobContext.newPage();
  await logIn(bobTablet, bob);
  await expectSyncState(bobTablet, 'paused');

  // Sam reassigns it to bob from its page in the hub.
  const samContext = await browser.newContext();
  const sam = await samContext.newPage();
  await logIn(sam, 'sam');
  await expect(sam).toHaveURL(/\/inspections$/);
  await sam.goto(`/supervisor/inspections/${encodeURIComponent(assignment._id)}`);
  await expect(sam.getByTestId('review-inspector')).toHaveText(alice);
  await pick(sam, 'reassign-inspector', bob);
  await sam.getByTestId('reassign').click();
  await expect(sam.locator('mat-snack-bar-container')).toContainText(`reassigned to ${bob}`);
  await expect(sam.getByTestId('review-inspector')).toHaveText(bob);

  // Bob has it.
  await expect(bobTablet.getByTestId('inspection-row').filter({ hasText: title })).toBeVisible({ timeout: REPLICATION_MS });

  // The proxy's hub work has carried the reassignment into alice's database too.
  await expect.poll(async () => (await serverDoc(alice, assignment._id))?.['assignedTo'], { timeout: REPLICATION_MS }).toBe(bob);

  // Alice back in coverage: her defect goes up first, then the inspection leaves her tablet, and she is told.
  await aliceContext.setOffline(false);
  await expect(aliceTablet.locator('mat-snack-bar-container')).toContainText(`"${title}" was reassigned to ${bob}; your edits were sent.`, {
    timeout: REPLICATION_MS,
  });
  expect(await serverDoc(alice, defectId)).toEqual(
    expect.objectContaining({ title: 'Dock leveller sticks', inspectionId: assignment._id }),
  );
  await expect(aliceRows).toHaveCount(0);
  // Gone, defect and all (the pull may bring her just-pushed defect back once; it goes again).
  await expect
    .poll(async () => (await localIds(aliceTablet)).filter((id) => id === assignment._id || id === defectId), { timeout: REPLICATION_MS })
    .toEqual([]);
  // Bob, its inspector now, has her defect on his tablet: the server hands it over to him.
  await openInspection(bobTablet, title);
  await expect(bobTablet.getByTestId('defect-row').filter({ hasText: 'Dock leveller sticks' })).toBeVisible({ timeout: REPLICATION_MS });
  // His later edit of her defect is his and the hub's business, not hers.
  await bobTablet.getByTestId('defect-row').filter({ hasText: 'Dock leveller sticks' }).click();
  await bobTablet.getByTestId('defect-title').fill('Dock leveller sticks when cold');
  await bobTablet.getByTestId('save-defect').click();
  const hub = serverAdmin().use<Record<string, unknown>>(HUB_DB);
  await expect
    .poll(async () => (await hub.get(defectId).catch(() => null))?.['title'], { timeout: REPLICATION_MS })
    .toBe('Dock leveller sticks when cold');
  // It was not deleted: the server keeps it in her database too, as bob's.
  expect(await serverDoc(alice, assignment._id)).toEqual(expect.objectContaining({ assignedTo: bob, unassignedFrom: alice }));
  // Her tablet stays in sync (no re-sync): a later assignment to her arrives as usual.
  const next = inspection('sam', { title: `Next for alice ${Date.now()}`, assignedTo: alice });
  await hub.insert(next as never);
  await expect(aliceTablet.getByTestId('inspection-row').filter({ hasText: next.title })).toBeVisible({ timeout: REPLICATION_MS });
  await expect(aliceRows).toHaveCount(0);
  // Written to the hub before that assignment, bob's edit did not follow her defect into her database.
  expect((await serverDoc(alice, defectId))?.['title']).toBe('Dock leveller sticks');

  await Promise.all([aliceContext.close(), bobContext.close(), samContext.close()]);
});
