import { expect, test } from '@playwright/test';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { addPhotos, freshInspector, localDoc, makeTestImage, openInspection } from './support/inspector';

test('the defect form shows every message at once, has no default severity, keeps photos picked before the first save, and says "Saved"', async ({
  page,
}) => {
  const user = await freshInspector('forms');
  await logIn(page, user);
  await expectSyncState(page, 'paused');
  const title = `Forms ${Date.now()}`;
  await createInspection(page, title);
  await openInspection(page, title);
  await page.getByTestId('add-defect').click();

  // Nothing filled in: both messages at once, worded like their labels, the first field focused.
  await expect(page.getByTestId('severity-legend')).toContainText('1 Cosmetic');
  await expect(page.getByTestId('severity-legend')).toContainText('5 Critical');
  await expect(page.locator('.mat-button-toggle-checked')).toHaveCount(0);
  await page.getByTestId('save-defect').click();
  await expect(page.getByTestId('error-title')).toHaveText('Title is required');
  await expect(page.getByTestId('error-severity')).toHaveText('Severity is required');
  await expect(page.getByTestId('defect-title')).toBeFocused();
  await expect(page.locator('mat-form-field.mat-form-field-invalid')).toHaveCount(1);

  // A photo before the first save, then the save: the defect is written with it.
  await addPhotos(page, [await makeTestImage(page, 7, 'image/jpeg', 800, 600)]);
  await expect(page.getByTestId('pending-photo')).toHaveCount(1);
  await page.getByTestId('defect-title').fill('Crack in the lintel');
  await page.getByTestId('severity-4').click();
  await page.getByTestId('save-defect').click();
  await expect(page).toHaveURL(/\/defects\/defect:/);
  await expect(page.getByTestId('save-status')).toHaveText('Saved on this device.');
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1);
  await expect(page.getByTestId('pending-photo')).toHaveCount(0);
  const defectId = decodeURIComponent(page.url().split('/').pop()!);
  const saved = await localDoc(page, defectId);
  expect(saved['severity']).toBe(4);
  // Its thumbnail on the defect, the full size in a photo document written with it.
  const [thumb] = Object.keys((saved['_attachments'] as object | undefined) ?? {});
  expect(thumb).toMatch(/^thumb-/);
  expect((await localDoc(page, `photo:${defectId}:${thumb.slice('thumb-'.length)}`))['type']).toBe('photo');

  // The inspection's line for a defect without a location.
  await page.getByRole('link', { name: '← Inspection' }).click();
  await expect(page.getByTestId('defect-row')).toContainText('open · 1 photo');
});

test('the assign form shows every missing field at once, worded like its label, and focuses the first', async ({ page }) => {
  await logIn(page, 'sam');
  await expect(page).toHaveURL(/\/inspections$/);
  await page.getByTestId('nav-supervisor').click();
  await expect(page).toHaveURL(/\/supervisor$/);
  await page.getByTestId('assign-submit').click();
  await expect(page.getByTestId('error-title')).toHaveText('Title is required');
  await expect(page.getByTestId('error-site')).toHaveText('Site is required');
  await expect(page.getByTestId('error-assignedTo')).toHaveText('Inspector is required');
  await expect(page.locator('mat-form-field.mat-form-field-invalid')).toHaveCount(3);
  await expect(page.getByTestId('assign-title')).toBeFocused();
});
