import { expect, test } from '@playwright/test';
import { readAppSettings, setArchiveDays } from '../couch/app-settings';
import { DEFAULT_ARCHIVE_DAYS } from '../domain/archive-settings';
import { checklistItem, defect, photoData } from '../test/fixtures/documents';
import { expectSyncState, logIn } from './support/app-actions';
import { freshInspector, goOffline, inspectionDoc, localIds, serverDb, serverDoc } from './support/inspector';
import { serverAdmin } from './support/server-admin';

const DAY_MS = 24 * 3600_000;
/** Server-side replication and the tablet's live pull. */
const REPLICATION_MS = 30_000;

test.afterEach(() => setArchiveDays(serverAdmin(), DEFAULT_ARCHIVE_DAYS));

test('an approved inspection older than the period an admin sets leaves the tablet with its defect and photo, is listed as archived, opens read-only from the server (not offline), stays gone after another sync and comes back once changed on the server', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const user = await freshInspector('archive');
  const stamp = Date.now();
  const approvedAt = new Date(stamp - 60 * DAY_MS).toISOString();
  // Approved 60 days ago, with a defect and its photo; and one approved today.
  const old = inspectionDoc(user, {
    title: `Boiler room ${stamp}`,
    status: 'approved',
    assignedTo: user,
    checklist: [checklistItem('c1', 'pass', 'Valves closed')],
    updatedBy: 'sam',
    updatedAt: approvedAt,
  });
  const oldDefect = defect(user, old['_id'] as string, {
    title: 'Rusty valve',
    inspectionStatus: 'approved',
    updatedAt: approvedAt,
    _attachments: { 'thumb-a.jpg': photoData('thumb'), 'photo-a.jpg': photoData('full-size photo') },
  });
  const recent = inspectionDoc(user, { title: `Roof ${stamp}`, status: 'approved', checklist: [checklistItem('c1', 'pass')] });
  await serverDb(user).bulk({ docs: [old, oldDefect, recent] as never[] });
  // Longer than 60 days: nothing is due at first.
  await setArchiveDays(serverAdmin(), 90);

  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, user);
  await expectSyncState(page, 'paused');
  const rows = page.getByTestId('inspection-row');
  await expect(rows).toHaveCount(2);

  // The tablet's own run once sync settled has read the period (and archived nothing): the
  // Sync page shows what it read.
  await page.getByTestId('sync-state').click();
  await expect(page.getByTestId('archive-period')).toContainText('90 days after', { timeout: REPLICATION_MS });
  // The admin shortens the period; the Sync page's button archives at once (the tablet reads the period then).
  await setArchiveDays(serverAdmin(), 45);
  await page.getByTestId('archive-now').click();
  await expect(page.getByTestId('archive-result')).toHaveText('Inspections archived: 1.');
  await expect(page.getByTestId('archive-period')).toContainText('45 days after');
  const oldId = old['_id'] as string;
  expect(await localIds(page)).not.toContain(oldId);
  expect(await localIds(page)).not.toContain(oldDefect._id);
  expect(await localIds(page)).toContain(recent['_id']);
  // Nothing was deleted anywhere: the server keeps both.
  expect(await serverDoc(user, oldId)).toEqual(expect.objectContaining({ status: 'approved' }));
  expect(await serverDoc(user, oldDefect._id)).toEqual(expect.objectContaining({ title: 'Rusty valve' }));

  // The list says what is archived.
  await page.getByTestId('nav-inspections').click();
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText(`Roof ${stamp}`);
  await expect(page.getByTestId('archived-toggle')).toHaveText('Archived (1)');
  await page.getByTestId('archived-toggle').click();
  await page
    .getByTestId('archived-row')
    .filter({ hasText: `Boiler room ${stamp}` })
    .click();

  // Opened from the server, read-only: the checklist, the defect and its photo.
  await expect(page.getByTestId('archived-heading')).toHaveText(`Boiler room ${stamp}`);
  await expect(page.getByTestId('archived-read-only')).toBeVisible();
  await expect(page.getByTestId('review-checklist-item')).toHaveText(/Valves closed\s*Pass/);
  await expect(page.getByTestId('review-defect-title')).toHaveText('Rusty valve');
  await expect(page.getByTestId('photo-thumb')).toBeVisible();
  await expect(page.locator('input, textarea, [data-testid="save-inspection"]')).toHaveCount(0);
  const archivedUrl = page.url();

  // Offline it says it is on the server only.
  await goOffline(page);
  await expectSyncState(page, 'offline');
  await page.getByTestId('nav-inspections').click();
  await page.goto(archivedUrl);
  await expect(page.getByTestId('archived-offline')).toBeVisible();
  await expect(page.getByTestId('archived-heading')).toHaveText(`Boiler room ${stamp}`);
  // From here the server root, where PouchDB learns the server's id for its checkpoints, does not
  // answer this tablet: each start of a replication without it used to pull from sequence 0.
  await context.route(
    (url) => url.pathname === '/db/',
    (route) => route.abort('connectionfailed'),
  );
  await context.setOffline(false);
  await expectSyncState(page, 'paused', 30_000);

  // Another sync (a reload, and a new assignment that must arrive after it): the archived one stays away.
  await page.reload();
  await expectSyncState(page, 'paused');
  const marker = inspectionDoc(user, { title: `Marker ${stamp}`, assignedTo: user });
  await serverDb(user).insert(marker as never);
  await page.getByTestId('nav-inspections').click();
  await expect(rows.filter({ hasText: `Marker ${stamp}` })).toBeVisible({ timeout: REPLICATION_MS });
  expect(await localIds(page)).not.toContain(oldId);
  await expect(rows.filter({ hasText: `Boiler room ${stamp}` })).toHaveCount(0);

  // A supervisor reopens it on the server: the pull brings it back, a live record again.
  const current = (await serverDoc(user, oldId))!;
  await serverDb(user).insert({
    ...current,
    status: 'rejected',
    reviewComment: 'Check again',
    updatedAt: new Date().toISOString(),
  } as never);
  await expect(rows.filter({ hasText: `Boiler room ${stamp}` })).toBeVisible({ timeout: REPLICATION_MS });
  await expect(page.getByTestId('archived-toggle')).toHaveCount(0);
  // With its defect, fetched from the server (it did not change, so the pull did not bring it).
  await expect.poll(() => localIds(page), { timeout: REPLICATION_MS }).toContain(oldDefect._id);
  await context.close();
});

test("an admin sets the period on the Settings tab; an inspector's tablet then shows and applies it", async ({ browser }) => {
  test.setTimeout(120_000);
  const adminContext = await browser.newContext();
  const tabletContext = await browser.newContext();
  try {
    const admin = await adminContext.newPage();
    await logIn(admin, 'ada');
    // The landing page first: a click during the redirect to it is overtaken by it.
    await expect(admin).toHaveURL(/\/inspections$/);
    await admin.getByTestId('nav-admin').click();
    await admin.getByTestId('admin-tab-settings').click();
    await expect(admin).toHaveURL(/\/admin\/settings$/);
    const days = admin.getByTestId('archive-days');
    await expect(days).toHaveValue(String(DEFAULT_ARCHIVE_DAYS));
    await days.fill('-3');
    await expect(admin.getByTestId('settings-save')).toBeDisabled();
    await days.fill('14');
    await admin.getByTestId('settings-save').click();
    await expect(admin.getByText('Saved.')).toBeVisible();
    expect(await readAppSettings(serverAdmin())).toEqual({ archiveDays: 14 });
    await admin.reload();
    await expect(days).toHaveValue('14');

    const user = await freshInspector('archive-setting');
    const tablet = await tabletContext.newPage();
    await logIn(tablet, user);
    await expectSyncState(tablet, 'paused');
    await tablet.getByTestId('sync-state').click();
    await expect(tablet.getByTestId('archive-period')).toContainText('14 days after', { timeout: REPLICATION_MS });
  } finally {
    await adminContext.close();
    await tabletContext.close();
  }
});
