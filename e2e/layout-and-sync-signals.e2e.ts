/*
 * Issue 13, "Layout" and "Sync signals": the header on tablets in portrait and landscape for
 * every role, offline as a normal state on the Sync page, the chip's pending count, and the
 * device's name in the audit stamp.
 */
import { expect, test, type Page } from '@playwright/test';
import { editOf, rootInspection } from '../test/fixtures/documents';
import { createInspection, expectSyncState, logIn, pick } from './support/app-actions';
import { freshInspector, goOffline, serverDoc } from './support/inspector';

const VIEWPORTS = [
  { name: 'portrait', width: 800, height: 1280 },
  { name: 'landscape', width: 1280, height: 800 },
] as const;

/** Nothing wider than the window, and Log out on screen, big enough to tap, and the thing a tap there hits. */
async function expectHeaderFits(page: Page, where: string): Promise<void> {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.scroll, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(widths.viewport);
  const logout = page.getByTestId('logout');
  await expect(logout).toBeVisible();
  const box = (await logout.boundingBox())!;
  expect(box.x + box.width, `${where}: Log out ends past the window's edge`).toBeLessThanOrEqual(widths.viewport);
  expect(box.height, `${where}: Log out is too small to tap`).toBeGreaterThanOrEqual(48);
  await logout.click({ trial: true });
  await expect(page.getByTestId('user-name')).toBeVisible();
  const name = (await page.getByTestId('user-name').boundingBox())!;
  expect(name.x + name.width, `${where}: the user's name ends past the window's edge`).toBeLessThanOrEqual(widths.viewport);
}

/** A conflicted inspection (both versions changed the title) in the page's local database, so the Conflicts badge shows. */
async function conflictOnDevice(page: Page, owner: string): Promise<void> {
  const root = rootInspection(owner, { _id: `inspection:${crypto.randomUUID()}` });
  const revisions = [root, editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { title: 'Theirs' })];
  await page.evaluate((docs) => window.fieldbookDb!.bulkDocs(docs as never, { new_edits: false }), revisions);
}

for (const viewport of VIEWPORTS) {
  test.describe(`the header at ${viewport.width}×${viewport.height} (${viewport.name})`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test('an inspector with a long name and a conflict keeps the name and Log out on screen', async ({ page }) => {
      const user = await freshInspector('layout-inspector-with-a-long-name');
      await logIn(page, user);
      await expectSyncState(page, 'paused');
      await conflictOnDevice(page, user);
      const badge = viewport.width < 1200 ? page.getByTestId('menu-conflict-badge') : page.getByTestId('conflict-badge');
      await expect(badge).toHaveText('1', { timeout: 20_000 });
      await expectHeaderFits(page, 'inspections');
      await page.getByTestId('sync-state').click();
      await expect(page).toHaveURL(/\/sync$/);
      await expectHeaderFits(page, 'sync');
    });

    // Each with what its page shows once loaded: the page is measured with its content (the job list has long database names).
    for (const [role, user, link, tab, content] of [
      ['supervisor', 'sam', 'nav-supervisor', null, 'assign-title'],
      ['admin', 'ada', 'nav-admin', null, 'user-row'],
      ['admin', 'ada', 'nav-admin', 'admin-tab-replications', 'job-row'],
      ['admin', 'ada', 'nav-admin', 'admin-tab-settings', 'archive-days'],
    ] as const) {
      const where = tab ?? link;
      test(`${role === 'admin' ? 'an' : 'a'} ${role} reaches ${where} and keeps the name and Log out on screen`, async ({ page }) => {
        await logIn(page, user);
        await expect(page).toHaveURL(/\/inspections$/);
        await expectHeaderFits(page, 'inspections');
        if (viewport.width < 1200) {
          const menu = page.getByTestId('nav-menu');
          expect((await menu.boundingBox())!.height).toBeGreaterThanOrEqual(48);
          await menu.click();
        }
        await page.getByTestId(link).click();
        await expect(page).not.toHaveURL(/\/inspections$/);
        if (tab) await page.getByTestId(tab).click();
        await expect(page.getByTestId(content).first()).toBeVisible({ timeout: 20_000 });
        await expectHeaderFits(page, where);
      });
    }
  });
}

test('an admin in French at 1200 px (the narrowest with links in the header) keeps the name and Log out on screen', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.goto('/');
  await pick(page, 'language-picker', 'Français');
  await logIn(page, 'ada');
  await expect(page).toHaveURL(/\/inspections$/);
  await expectSyncState(page, 'paused');
  await expect(page.getByTestId('nav-admin')).toHaveText('Administration');
  await expectHeaderFits(page, 'inspections, in French');
  await page.getByTestId('nav-admin').click();
  await expect(page.getByTestId('user-row').first()).toBeVisible({ timeout: 20_000 });
  await expectHeaderFits(page, 'the admin pages, in French');
});

test('offline is a normal state: the Sync page says so neutrally, the chip counts pending edits, and edits carry the device name', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const user = await freshInspector('signals');
  await logIn(page, user);
  await expectSyncState(page, 'paused');
  await expect(page.getByTestId('sync-pending')).toHaveCount(0);

  // The device gets a name on the Sync page.
  await page.getByTestId('sync-state').click();
  await expect(page).toHaveURL(/\/sync$/);
  await page.getByTestId('device-name-edit').click();
  await page.getByTestId('device-name-input').fill('Tablet 3');
  await page.getByTestId('device-name-save').click();
  await expect(page.getByTestId('device-name')).toHaveText('Tablet 3');

  await goOffline(page);
  await expectSyncState(page, 'offline');
  const offline = page.getByTestId('sync-offline');
  await expect(offline).toHaveText("Offline — changes are kept on this device and sync when you're back online");
  await expect(offline).not.toHaveClass(/error/);
  // Not in the colour the app gives a problem (styles.css `.error`).
  const problemColour = await page.evaluate(() => {
    const probe = document.body.appendChild(Object.assign(document.createElement('p'), { className: 'error' }));
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  });
  expect(problemColour).toBe('rgb(186, 26, 26)');
  expect(await offline.evaluate((element) => getComputedStyle(element).color)).not.toBe(problemColour);
  await expect(page.getByTestId('sync-last-error')).toHaveCount(0);

  // Three inspections written offline: the chip counts them.
  await page.getByTestId('nav-inspections').click();
  const stamp = Date.now();
  for (let i = 1; i <= 3; i++) {
    await createInspection(page, `Offline ${stamp} #${i}`);
    await expect(page.getByTestId('sync-pending')).toHaveText(`${i} pending`);
  }
  await expectSyncState(page, 'offline');
  await expect(page.getByTestId('sync-pending')).toHaveText('3 pending');
  const ids = await page.evaluate(async (prefix) => {
    const { rows } = await window.fieldbookDb!.allDocs({ include_docs: true });
    return rows.filter((row) => (row.doc as { title?: string }).title?.startsWith(prefix)).map((row) => row.id);
  }, `Offline ${stamp}`);
  expect(ids).toHaveLength(3);

  // Back online: they go up, with the device's name beside its id, and the count goes.
  await context.setOffline(false);
  await expectSyncState(page, 'paused', 30_000);
  await expect(page.getByTestId('sync-pending')).toHaveCount(0);
  const stored = await serverDoc(user, ids[0]);
  expect(stored?.['deviceName']).toBe('Tablet 3');
  expect(stored?.['deviceId']).toMatch(/^device-/);
});
