import { expect, test, type Page, type Route } from '@playwright/test';
import { expectSyncState, logIn } from './support/app-actions';
import { freshInspector, goOffline, inspectionDoc, localIds, serverDb } from './support/inspector';

const SEEDED = 1200;
/** As the app writes it: "1,200". */
const seeded = (extra = 0) => (SEEDED + extra).toLocaleString('en-US');

/**
 * Issue 14, item 6, as an inspector sees it (bench/browser-sync.ts times it): a first login
 * to thousands of records fills the list while the pull streams in, a pull cut by a reload
 * goes on where it was, and the tablet then starts offline from its own copy and still syncs.
 */
test('a first login to 1,200 inspections: the list fills while they stream in, a reload resumes the pull, then the tablet works offline and syncs', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const user = await freshInspector('first-login');
  const db = serverDb(user);
  // Scheduled long ago: they reach the hub by fan-in, where the supervisor's team list shows the
  // latest first (role-screenshots.e2e.ts photographs its first rows).
  const docs = Array.from({ length: SEEDED }, (_, i) => inspectionDoc(user, { title: `Seeded ${i}`, scheduledFor: '2020-01-06' }));
  const failed = (await db.bulk({ docs })).filter((row) => !('ok' in row) || !row.ok);
  expect(failed, 'every seeded inspection stored').toEqual([]);

  // The first page of changes passes; the pull's later pages wait until the test lets them go.
  const changesAsked: string[] = [];
  let letThrough!: () => void;
  const released = new Promise<void>((resolve) => (letThrough = resolve));
  await page.route(/\/_changes\?/, async (route: Route) => {
    const url = route.request().url();
    changesAsked.push(url);
    if (!/[?&]since=0(&|$)/.test(url)) await released;
    // A request held across the reload belongs to the page that is gone.
    await route.continue().catch(() => undefined);
  });

  await logIn(page, user);
  // The first page's 500 changes include the database's design documents, which the chip does
  // not count (how many fall in that page depends on the server's order).
  let firstBatch = '';
  await expect
    .poll(async () => (firstBatch = await firstBatchShown(page)), {
      message: 'the chip and the list count the first batch',
      timeout: 30_000,
    })
    .toMatch(/^[1-9]/);
  await expect(page.getByTestId('inspection-row')).toHaveCount(50);

  // Closed mid-pull: it goes on from the batch it stored, not from the start.
  const beforeReload = changesAsked.length;
  await page.reload();
  await expect(page.getByTestId('sync-progress')).toHaveText(`${firstBatch} of ${seeded()}`);
  await expect(page.getByTestId('inspection-row')).toHaveCount(50);
  await expect.poll(() => changesAsked.length, { message: 'the resumed pull asks for its next page' }).toBeGreaterThan(beforeReload);
  expect(
    changesAsked.slice(beforeReload).filter((url) => /[?&]since=0(&|$)/.test(url)),
    'no pull from the start after the reload',
  ).toEqual([]);

  letThrough();
  await expect(page.getByTestId('inspection-count')).toHaveText(`50 of ${seeded()} inspections`, { timeout: 60_000 });
  await expectSyncState(page, 'paused', 60_000);
  await expect(page.getByTestId('sync-state')).toContainText('up to date');
  expect((await localIds(page)).length, 'every inspection on the tablet').toBe(SEEDED);
  await page.unrouteAll({ behavior: 'ignoreErrors' });

  await goOffline(page);
  await page.reload();
  await expect(page.getByTestId('inspection-row')).toHaveCount(50);
  await expect(page.getByTestId('inspection-count')).toHaveText(`50 of ${seeded()} inspections`);
  await expectSyncState(page, 'offline');

  await page.context().setOffline(false);
  await db.insert(inspectionDoc(user, { title: 'Written on the server' }));
  await expect(page.getByTestId('inspection-count')).toHaveText(`50 of ${seeded(1)} inspections`, { timeout: 30_000 });
  await page.getByTestId('inspection-search').fill('Written on the server');
  await expect(page.getByTestId('inspection-row')).toHaveText([/Written on the server/]);
});

/**
 * How many inspections the chip says the first pull stored ("495" of "495 of 1,200") once the
 * list counts as many; empty until both do.
 */
async function firstBatchShown(page: Page): Promise<string> {
  const [progress, count] = await page.evaluate(() =>
    ['sync-progress', 'inspection-count'].map((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? ''),
  );
  const stored = new RegExp(`^([\\d,]+) of ${seeded()}$`).exec(progress)?.[1];
  return stored && count === `50 of ${stored} inspections` ? stored : '';
}
