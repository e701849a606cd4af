import { expect, test } from '@playwright/test';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { freshInspector, inspectionDoc, localDoc, localIds, openInspection, serverDoc, serverIds } from './support/inspector';

test("a form that breaks a rule shows the rule's message and saves nothing", async ({ page }) => {
  const user = await freshInspector('rules');
  await logIn(page, user);
  await expectSyncState(page, 'paused');

  // New inspection without a title.
  await page.getByTestId('new-inspection').click();
  await page.getByTestId('inspection-site').fill('Depot 4');
  await page.getByTestId('save-inspection').click();
  await expect(page.getByTestId('error-title')).toHaveText('Title is required');
  await expect(page.getByTestId('error-site')).toHaveCount(0);
  await expect(page).toHaveURL(/\/inspections\/new$/);

  // A title over the limit.
  await page.getByTestId('inspection-title').fill('x'.repeat(201));
  await page.getByTestId('save-inspection').click();
  await expect(page.getByTestId('error-title')).toHaveText('Title must be at most 200 characters');

  // A valid inspection, then a checklist item without a label on its page.
  await page.getByRole('link', { name: 'Cancel' }).click();
  const title = `Rules ${Date.now()}`;
  await createInspection(page, title);
  const id = await openInspection(page, title);
  // The valid inspection, saved after the refused forms, is there; nothing of theirs is.
  expect(await localIds(page)).toEqual([id]);
  await expect.poll(async () => (await serverDoc(user, id))?.['_rev']).toBe((await localDoc(page, id))['_rev']);
  const saved = await localDoc(page, id);
  const items = await page.getByTestId('checklist-item').count();
  await page.getByTestId('inspection-notes').fill('Checked from the north ladder');
  await page.getByTestId('add-checklist-item').click();
  await page.getByTestId('save-inspection').click();
  const labelError = page.locator(`[data-testid="error-checklist[${items}].label"]`);
  await expect(labelError).toHaveText('Item is required');

  // Giving the item a label clears the message and saves.
  await page.getByTestId(`checklist-label-${items}`).fill('Ladder secured');
  await page.getByTestId('save-inspection').click();
  await expect(labelError).toHaveCount(0);
  await expect.poll(async () => (await localDoc(page, id))['notes']).toBe('Checked from the north ladder');
  const fixed = await localDoc(page, id);
  const checklist = fixed['checklist'] as { label: string }[];
  expect(checklist.map((item) => item.label)).toContain('Ladder secured');
  // That save is the next revision after the one before the refused form: the refusal wrote none,
  // on the device or (since nothing reaches the server but the device's revisions) on the server.
  const generation = (rev: unknown) => Number(String(rev).split('-')[0]);
  expect(generation(fixed['_rev'])).toBe(generation(saved['_rev']) + 1);
  await expect.poll(async () => (await serverDoc(user, id))?.['_rev'], { timeout: 60_000 }).toBe(fixed['_rev']);
  expect(await localIds(page)).toEqual([id]);
});

test('a doc forced past the client check is refused by the server, listed as rejected with the reason, and syncs after editing', async ({
  page,
}) => {
  const user = await freshInspector('refused');
  await logIn(page, user);
  await expectSyncState(page, 'paused');

  // Straight into the local database, skipping the form's check: a blank site.
  const title = `Forced past the form ${Date.now()}`;
  const doc = inspectionDoc(user, { title, site: '   ' });
  const id = doc['_id'] as string;
  await page.evaluate((forced) => window.fieldbookDb!.put(forced), doc);

  const row = page.getByTestId('inspection-row').filter({ hasText: title });
  await expect(row.getByTestId('sync-badge')).toHaveAttribute('data-status', 'rejected', { timeout: 15_000 });
  expect(await serverDoc(user, id)).toBeNull();

  await page.getByTestId('sync-state').click();
  await expect(page.getByTestId('rejected-count')).toHaveText('1');
  await expect(page.getByTestId('rejected-item')).toContainText(`Inspection: ${title}`);
  await expect(page.getByTestId('rejected-item')).toContainText('Site: is required');
  await expect(page.getByTestId('pending-count')).toHaveText('0');

  await page.getByTestId('edit-and-retry').click();
  await expect(page.getByTestId('inspection-heading')).toHaveText(title);
  await expect(page.getByTestId('rejection-banner')).toContainText('Site: is required');
  await expect(page.getByTestId('error-site')).toHaveText('Site is required');
  await expect(page.getByTestId('sync-badge')).toHaveAttribute('data-status', 'rejected');

  await page.getByTestId('inspection-site').fill('Depot 7');
  await page.getByTestId('save-inspection').click();
  await expect(page.getByTestId('rejection-banner')).toHaveCount(0);
  await expect(page.getByTestId('sync-badge')).toHaveAttribute('data-status', 'synced', { timeout: 15_000 });
  const local = await localDoc(page, id);
  await expect.poll(async () => (await serverDoc(user, id))?.['_rev']).toBe(local['_rev']);
  expect((await serverDoc(user, id))?.['site']).toBe('Depot 7');
  expect(await serverIds(user)).toEqual([id]);

  await page.getByTestId('sync-state').click();
  await expect(page.getByTestId('rejected-count')).toHaveText('0');
  await expect(page.getByTestId('pending-count')).toHaveText('0');
});
