/*
 * Screenshots of the main screens at tablet size (1280x800 landscape, 800x1280 portrait),
 * written to docs/screenshots/<screen>-<orientation>.png (committed).
 * Realistic data: inspections seeded on the server as admin (some already reviewed by a
 * supervisor), a defect with two photos added through the app, and for the sync page one
 * change waiting offline and one refused by the server.
 */
import { expect, test, type Page } from '@playwright/test';
import { setArchiveDays } from '../couch/app-settings';
import { addUser } from '../couch/users';
import { DEFAULT_ARCHIVE_DAYS } from '../domain/archive-settings';
import { defect } from '../test/fixtures/documents';
import { expectSyncState, logIn } from './support/app-actions';
import { DEMO_PASSWORD } from './support/e2e-env';
import { addPhotos, goOffline, idsFromUrl, inspectionDoc, makeTestImage, openInspection, serverDb } from './support/inspector';
import { serverAdmin } from './support/server-admin';
import { shoot, VIEWPORTS } from './support/screenshots';

const USER = 'jordan';
const ROOF = 'Roof and gutters after the storm';

function seededInspections(): Record<string, unknown>[] {
  const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T08:30:00.000Z`;
  const checklist = (
    results: (string | null)[],
    labels = [
      'Access and escape routes clear',
      'Fire extinguishers present and in date',
      'Electrical panels closed and labelled',
      'Personal protective equipment in use',
    ],
  ) => labels.map((label, i) => ({ id: `item-${i + 1}`, label, result: results[i] ?? null }));
  const doc = (fields: Record<string, unknown>) =>
    inspectionDoc(USER, { createdAt: at(1), updatedAt: at(2), deviceId: 'device-tablet-07', ...fields });
  return [
    doc({
      title: 'Quarterly fire safety walk-through',
      site: 'Harbour office',
      status: 'submitted',
      scheduledFor: '2026-03-03',
      checklist: checklist(['pass', 'pass', 'pass', 'pass']),
    }),
    doc({
      title: 'Boiler room annual check',
      site: 'Depot 4',
      status: 'approved',
      scheduledFor: '2026-03-04',
      reviewComment: 'All good, thanks.',
      checklist: checklist(['pass', 'pass', 'na', 'pass']),
    }),
    doc({
      title: 'Car park lighting',
      site: 'Depot 4',
      status: 'rejected',
      scheduledFor: '2026-03-05',
      reviewComment: 'Add photos of the bay 12 lights.',
      checklist: checklist(['pass', 'na', 'fail', 'pass']),
    }),
    doc({
      title: ROOF,
      site: 'Harbour office',
      status: 'draft',
      scheduledFor: '2026-03-09',
      notes: "Checked from the north ladder after Tuesday's storm. Access via the plant room.",
      checklist: checklist(
        ['pass', 'fail', 'pass', null],
        ['Gutters clear of debris', 'Flashing intact', 'Roof hatch closes and locks', 'Fall protection anchors tested'],
      ).map((item) => (item.result === 'fail' ? { ...item, note: 'Lifted near the north vent, see defect' } : item)),
    }),
    doc({
      title: 'Scaffolding inspection, block C',
      site: 'Riverside site',
      status: 'draft',
      scheduledFor: '2026-03-11',
      checklist: checklist([]),
    }),
    doc({
      title: 'Electrical panels, ground floor',
      site: 'Depot 4',
      status: 'draft',
      scheduledFor: '2026-03-12',
      checklist: checklist(['pass', null, null, null]),
    }),
  ];
}

async function expectPhotosLoaded(page: Page, count: number): Promise<void> {
  await expect(page.getByTestId('photo-thumb')).toHaveCount(count);
  await expect
    .poll(() =>
      page
        .getByTestId('photo-thumb')
        .evaluateAll((imgs) => imgs.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)),
    )
    .toBe(true);
}

// The seeded inspections are dated March 2026, the approved one too: these screens show the
// tablet before the archive takes it (30 days after approval by default, e2e/archive.e2e.ts).
test.beforeEach(() => setArchiveDays(serverAdmin(), 3650));
test.afterEach(() => setArchiveDays(serverAdmin(), DEFAULT_ARCHIVE_DAYS));

test('screenshots of the main screens at tablet size (docs/screenshots)', async ({ page, context }) => {
  test.setTimeout(120_000);
  await addUser(serverAdmin(), USER, DEMO_PASSWORD, 'inspector');
  const db = serverDb(USER);
  const existing = await db.list();
  if (!existing.rows.some((row) => !row.id.startsWith('_design/'))) {
    const seeded = seededInspections();
    const roofId = seeded.find((doc) => doc['title'] === ROOF)!['_id'] as string;
    await db.bulk({
      docs: [
        ...seeded,
        defect(USER, roofId, {
          title: 'Downpipe blocked at the south corner',
          location: 'South-east corner',
          severity: 2,
          createdAt: '2026-03-09T09:10:00.000Z',
          updatedAt: '2026-03-09T09:10:00.000Z',
          deviceId: 'device-tablet-07',
        }),
      ],
    });
  }

  await page.setViewportSize(VIEWPORTS.landscape);
  await logIn(page, USER);
  await expect(page.getByTestId('inspection-row')).toHaveCount(6);
  await expectSyncState(page, 'paused');

  // The defect with two photos, added through the app.
  await openInspection(page, ROOF);
  if ((await page.getByTestId('defect-row').count()) < 2) {
    await page.getByTestId('add-defect').click();
    await page.getByTestId('defect-title').fill('Flashing lifted at the north vent');
    await page.getByTestId('defect-location').fill('Roof, north side by vent 3');
    await page
      .getByTestId('defect-description')
      .fill('About 40 cm of lead flashing has come loose; water can get under the membrane. Temporary tape applied.');
    await page.getByTestId('severity-4').click();
    await page.getByTestId('save-defect').click();
    await expect(page).toHaveURL(/\/defects\/defect:/);
    await addPhotos(page, [await makeTestImage(page, 3, 'image/jpeg', 1600, 1200), await makeTestImage(page, 4, 'image/jpeg', 1200, 1600)]);
    await page.getByRole('link', { name: '← Inspection' }).click();
  }
  await expect(page.getByTestId('defect-row')).toHaveCount(2);
  await expectPhotosLoaded(page, 1);
  const inspectionUrl = page.url();
  await page.getByTestId('defect-row').filter({ hasText: 'Flashing lifted' }).click();
  const defectUrl = page.url();
  expect(idsFromUrl(page).defectId).toBeTruthy();

  for (const [orientation, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.goto('/inspections');
    await expect(page.getByTestId('inspection-row')).toHaveCount(6);
    await expectSyncState(page, 'paused');
    await expect(page.getByTestId('sync-badge').first()).toHaveAttribute('data-status', 'synced');
    await shoot(page, `list-${orientation}`);

    await page.goto(inspectionUrl);
    await expect(page.getByTestId('inspection-heading')).toHaveText(ROOF);
    await expectPhotosLoaded(page, 1);
    await expectSyncState(page, 'paused');
    await shoot(page, `inspection-${orientation}`);
    await page.getByRole('heading', { name: 'Defects' }).evaluate((heading) => heading.scrollIntoView({ block: 'center' }));
    await shoot(page, `inspection-defects-${orientation}`);

    await page.goto(defectUrl);
    await expect(page.getByTestId('defect-title')).toHaveValue('Flashing lifted at the north vent');
    await expectPhotosLoaded(page, 2);
    await expectSyncState(page, 'paused');
    await shoot(page, `defect-${orientation}`);
  }

  // Sync page: offline, with one edit waiting and one document the server refused.
  await page.goto('/inspections');
  await expectSyncState(page, 'paused');
  const refused = inspectionDoc(USER, { title: 'Ladder register, Depot 4', site: ' ', scheduledFor: '2026-03-13' });
  await page.evaluate((doc) => window.fieldbookDb!.put(doc), refused);
  await expect(page.getByTestId('inspection-row').filter({ hasText: 'Ladder register' }).getByTestId('sync-badge')).toHaveAttribute(
    'data-status',
    'rejected',
    { timeout: 15_000 },
  );
  await goOffline(page);
  await expectSyncState(page, 'offline');
  await openInspection(page, 'Scaffolding inspection, block C');
  await page.getByTestId('checklist-item').nth(0).getByTestId('result-pass').click();
  await page.getByTestId('save-inspection').click();
  await expect(page.getByTestId('sync-badge')).toHaveAttribute('data-status', 'pending');
  await page.getByTestId('sync-state').click();
  await expect(page.getByTestId('pending-count')).toHaveText('1');
  await expect(page.getByTestId('rejected-count')).toHaveText('1');
  for (const [orientation, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await expect(page.getByTestId('storage-usage')).toBeVisible();
    await shoot(page, `sync-${orientation}`);
  }
  await context.setOffline(false);
});
