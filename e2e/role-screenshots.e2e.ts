/*
 * Screenshots of the pages inspector-screenshots.e2e.ts does not cover, for every role, at
 * tablet size in both orientations, into docs/screenshots/<page>-<orientation>.png (committed,
 * compared in review): sign-in, new inspection, the conflict inbox, the supervisor's queue, team
 * list and review page, the admin's users, replication jobs and settings. Each shot waits for
 * the page's content, so a page that fails to render fails the test instead of photographing a
 * spinner.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { HUB_DB } from '../domain/db-names';
import { defect } from '../test/fixtures/documents';
import { expectSyncState, logIn } from './support/app-actions';
import { inspectionDoc } from './support/inspector';
import { serverAdmin } from './support/server-admin';
import { shootBoth } from './support/screenshots';

const REVIEWED = 'Stairwell fire doors, block A';

/** A submitted inspection of alice's with two answered items and a defect, as fan-in puts it in the hub. */
async function seedHubInspection(): Promise<string> {
  const at = '2026-03-10T09:15:00.000Z';
  const inspection = inspectionDoc('alice', {
    title: REVIEWED,
    site: 'Harbour office',
    status: 'submitted',
    scheduledFor: '2026-03-10',
    createdAt: at,
    updatedAt: at,
    checklist: [
      { id: 'doors-close', label: 'Doors close fully on their own', result: 'fail', note: 'Door A2 sticks on the frame' },
      { id: 'signage', label: 'Fire door signage present', result: 'pass' },
    ],
  });
  const hub = serverAdmin().use<Record<string, unknown>>(HUB_DB);
  await hub.bulk({
    docs: [
      inspection,
      defect('alice', inspection['_id'] as string, {
        title: 'Door A2 does not latch',
        location: 'Stairwell A, level 2',
        severity: 4,
        inspectionStatus: 'submitted',
        createdAt: at,
        updatedAt: at,
      }),
    ],
  });
  return inspection['_id'] as string;
}

/** Each role on a tablet of its own: a fresh browser context, signed in. */
async function signedIn(browser: Browser, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await logIn(page, name);
  await expect(page).toHaveURL(/\/inspections$/);
  return page;
}

test('screenshots of every other page, for each role, at tablet size (docs/screenshots)', async ({ browser, page }) => {
  test.setTimeout(150_000);
  const reviewedId = await seedHubInspection();

  await page.goto('/login');
  await shootBoth(page, 'sign-in', () => expect(page.getByTestId('login-submit')).toBeVisible());

  const inspector = await signedIn(browser, 'alice');
  await inspector.goto('/inspections/new');
  await shootBoth(inspector, 'inspection-new', () => expect(inspector.getByTestId('save-inspection')).toBeVisible());
  await inspector.goto('/conflicts');
  await shootBoth(inspector, 'conflicts-empty', () => expect(inspector.getByTestId('conflicts-empty')).toBeVisible());

  const supervisor = await signedIn(browser, 'sam');
  await expectSyncState(supervisor, 'paused');
  await supervisor.goto('/supervisor');
  const queued = supervisor.getByTestId('submitted-row').filter({ hasText: REVIEWED });
  await shootBoth(supervisor, 'supervisor-queue', () => expect(queued).toBeVisible());
  await supervisor.goto('/supervisor/team');
  const listed = supervisor.getByTestId('team-row').filter({ hasText: REVIEWED });
  await shootBoth(supervisor, 'supervisor-team', () => expect(listed).toBeVisible());
  await supervisor.goto(`/supervisor/inspections/${encodeURIComponent(reviewedId)}`);
  await shootBoth(supervisor, 'supervisor-review', async () => {
    await expect(supervisor.getByTestId('review-heading')).toHaveText(REVIEWED);
    await expect(supervisor.getByTestId('review-checklist-item')).toHaveCount(2);
    await expect(supervisor.getByTestId('review-defect')).toHaveCount(1);
  });

  const admin = await signedIn(browser, 'ada');
  await admin.goto('/admin/replications');
  const partnerJob = admin.getByTestId('job-row').filter({ hasText: 'partner-acme' });
  await shootBoth(admin, 'admin-replications', () =>
    expect(partnerJob.getByTestId('job-state')).toHaveText('running', { timeout: 20_000 }),
  );
  await admin.goto('/admin/users');
  await shootBoth(admin, 'admin-users', () => expect(admin.locator('[data-testid="user-row"][data-name="alice"]')).toBeVisible());
  await admin.goto('/admin/settings');
  await shootBoth(admin, 'admin-settings', () => expect(admin.getByTestId('archive-days')).toHaveValue(/^\d+$/));
});
