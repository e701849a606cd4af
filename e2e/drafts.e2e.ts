import { expect, test, type Page } from '@playwright/test';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { addPhotos, freshInspector, idsFromUrl, localDoc, makeTestImage, openInspection, serverDoc } from './support/inspector';
import { shootBoth } from './support/screenshots';

/**
 * Acceptance: what an inspector types is kept on the device as they type and comes back after
 * a reload or leaving the page, until saved or discarded, with the photos taken for a new defect;
 * a save meeting a newer version shows both and merges per field, and the result syncs.
 */

const DRAFTS_ID = '_local/fieldbook-drafts';

interface KeptDraft {
  values: Record<string, unknown>;
  photos?: { stem: string }[];
}

/** The draft kept for a form on this device, or null. */
function keptDraft(page: Page, key: string): Promise<KeptDraft | null> {
  return page.evaluate(
    async ([id, draftKey]) => {
      const doc = (await window.fieldbookDb!.get(id).catch(() => null)) as {
        drafts: Record<string, KeptDraft>;
      } | null;
      return doc?.drafts[draftKey] ?? null;
    },
    [DRAFTS_ID, key] as const,
  );
}

const item = (page: Page, index: number) => page.getByTestId('checklist-item').nth(index);

async function newInspection(page: Page, prefix: string): Promise<{ user: string; title: string; id: string }> {
  const user = await freshInspector(prefix);
  await logIn(page, user);
  await expectSyncState(page, 'paused');
  const title = `Drafts ${Date.now()}`;
  await createInspection(page, title);
  return { user, title, id: await openInspection(page, title) };
}

test('typed checklist and notes come back after a reload and after leaving the page, until discarded', async ({ page }) => {
  const { title, id } = await newInspection(page, 'drafts');
  await page.getByTestId('inspection-notes').fill('Ladder needed for the roof hatch');
  await item(page, 0).getByTestId('result-fail').click();
  await page.getByTestId('checklist-note-0').fill('Blocked by pallets');
  await expect.poll(() => keptDraft(page, id).then((draft) => draft?.values['notes'])).toBe('Ladder needed for the roof hatch');
  await expect
    .poll(() => keptDraft(page, id).then((draft) => (draft?.values['checklist'] as { note: string }[])[0].note))
    .toBe('Blocked by pallets');

  await page.reload();
  await expect(page.getByTestId('draft-restored')).toContainText('Unsaved edits from');
  await expect(page.getByTestId('inspection-notes')).toHaveValue('Ladder needed for the roof hatch');
  await expect(page.getByTestId('checklist-note-0')).toHaveValue('Blocked by pallets');
  await expect(item(page, 0).getByTestId('result-fail')).toHaveClass(/mat-button-toggle-checked/);
  // Nothing was saved: the draft is only on this device.
  expect((await localDoc(page, id))['notes']).toBeUndefined();

  await page.getByRole('link', { name: '← Inspections' }).click();
  await expect(page.getByText('Your edits are kept as a draft on this device.')).toBeVisible();
  await expect(page.getByTestId('inspection-row').filter({ hasText: title }).getByTestId('draft-chip')).toBeVisible();
  await openInspection(page, title);
  await expect(page.getByTestId('inspection-notes')).toHaveValue('Ladder needed for the roof hatch');
  await expect(page.getByTestId('draft-restored')).toBeVisible();

  await page.getByTestId('discard-draft').click();
  await expect(page.getByTestId('inspection-notes')).toHaveValue('');
  await expect(item(page, 0).getByTestId('result-fail')).not.toHaveClass(/mat-button-toggle-checked/);
  await expect(page.getByTestId('draft-restored')).toHaveCount(0);
  await expect.poll(() => keptDraft(page, id)).toBeNull();
  await page.getByRole('link', { name: '← Inspections' }).click();
  await expect(page.getByTestId('inspection-row').filter({ hasText: title })).toBeVisible();
  await expect(page.getByTestId('draft-chip')).toHaveCount(0);
});

test('a save that meets a newer version shows both, merges per field, and the result saves and syncs', async ({ page, context }) => {
  const { user, title, id } = await newInspection(page, 'drafts-merge');
  await page.getByTestId('inspection-notes').fill('Mine: ladder needed');
  await item(page, 0).getByTestId('result-fail').click();

  // The same inspection saved meanwhile in a second tab, which opens with this device's draft: discarded there.
  const other = await context.newPage();
  await other.goto('/inspections');
  await openInspection(other, title);
  await expect(other.getByTestId('inspection-notes')).toHaveValue('Mine: ladder needed');
  await other.getByTestId('discard-draft').click();
  await expect(other.getByTestId('inspection-notes')).toHaveValue('');
  await other.getByTestId('inspection-notes').fill('Theirs: hatch locked');
  await other.getByTestId('inspection-site').fill('Plant 9');
  await other.getByTestId('save-inspection').click();
  await expect.poll(() => localDoc(other, id).then((doc) => doc['site'])).toBe('Plant 9');
  await other.close();

  await expect(page.getByTestId('changed-elsewhere')).toBeVisible();
  await page.getByTestId('save-inspection').click();
  const merge = page.getByTestId('draft-merge');
  await expect(merge).toBeVisible();
  const row = (path: string) => merge.locator(`[data-testid=conflict-field][data-path="${path}"]`);
  await expect(row('notes')).toHaveAttribute('data-status', 'conflict');
  await expect(row('site')).toHaveAttribute('data-status', 'merged');
  await expect(row('site').getByTestId('conflict-result')).toHaveText('Plant 9');
  const result = merge.locator('[data-testid=conflict-field][data-path^="checklist["][data-path$="].result"]');
  await expect(result).toHaveAttribute('data-status', 'merged');
  await expect(result.getByTestId('conflict-result')).toHaveText('Fail');
  await expect(merge.getByTestId('keep-merged')).toBeDisabled();
  await shootBoth(page, 'draft-merge', () => expect(row('notes')).toHaveAttribute('data-status', 'conflict'));
  await row('notes').getByTestId('choose-2-mine').click();
  await merge.getByTestId('keep-merged').click();

  await expect(merge).toHaveCount(0);
  await expect.poll(() => localDoc(page, id).then((doc) => doc['notes'])).toBe('Mine: ladder needed');
  const saved = await localDoc(page, id);
  expect(saved['site']).toBe('Plant 9');
  expect((saved['checklist'] as { result: string | null }[])[0].result).toBe('fail');
  await expect.poll(() => keptDraft(page, id)).toBeNull();
  await expect
    .poll(() => serverDoc(user, id).then((doc) => [doc?.['notes'], doc?.['site']]), { timeout: 20_000 })
    .toEqual(['Mine: ladder needed', 'Plant 9']);
});

test("photos taken for a new defect before anything is typed come back after a reload, and are the defect's once saved", async ({
  page,
}) => {
  const { user, id } = await newInspection(page, 'drafts-photos');
  await page.getByTestId('add-defect').click();
  await addPhotos(page, [await makeTestImage(page, 3, 'image/jpeg', 1200, 900), await makeTestImage(page, 4, 'image/png')]);
  await page.getByTestId('defect-title').fill('Spalled concrete');
  const key = `new-defect:${id}`;
  await expect
    .poll(() => keptDraft(page, key).then((draft) => [draft?.values['title'], draft?.photos?.length]))
    .toEqual(['Spalled concrete', 2]);
  const stems = (await keptDraft(page, key))!.photos!.map((photo) => photo.stem);
  const draftCopies = () =>
    page.evaluate(
      async (names) =>
        (
          await Promise.all(
            names.map((stem) =>
              window.fieldbookDb!.get(`_local/fieldbook-draft-photo:${stem}`).then(
                () => stem,
                () => null,
              ),
            ),
          )
        ).filter(Boolean),
      stems,
    );
  expect(await draftCopies()).toEqual(stems);

  await page.reload();
  await expect(page.getByTestId('draft-restored')).toBeVisible();
  await expect(page.getByTestId('defect-title')).toHaveValue('Spalled concrete');
  await expect(page.getByTestId('pending-photo')).toHaveCount(2);
  for (const thumb of await page.getByTestId('pending-photo').getByTestId('photo-thumb').all()) {
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  }

  await page.getByTestId('severity-3').click();
  await page.getByTestId('save-defect').click();
  await expect(page).toHaveURL(/\/defects\/defect:/);
  const defectId = idsFromUrl(page).defectId!;
  await expect(page.getByTestId('photo-thumb')).toHaveCount(2);
  expect(Object.keys((await localDoc(page, defectId))['_attachments'] as object)).toEqual(stems.map((stem) => `thumb-${stem}`));
  await expect.poll(() => keptDraft(page, key)).toBeNull();
  await expect.poll(draftCopies).toEqual([]);
  for (const stem of stems) {
    await expect.poll(() => serverDoc(user, `photo:${defectId}:${stem}`), { timeout: 20_000 }).not.toBeNull();
  }
});
