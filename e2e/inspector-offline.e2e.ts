import { expect, test } from '@playwright/test';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import {
  addPhotos,
  freshInspector,
  goOffline,
  idsFromUrl,
  localAttachment,
  localDoc,
  makeTestImage,
  openInspection,
  serverDb,
  serverDoc,
  serverIds,
} from './support/inspector';

test('offline after one login: an inspection with 3 checklist items and a defect with 2 photos survive a reload and reach the server byte for byte', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const user = await freshInspector('offline');
  await logIn(page, user);
  await expectSyncState(page, 'paused');
  await goOffline(page);
  await expectSyncState(page, 'offline');

  // The inspection, with its default checklist replaced by three items of our own.
  const title = `Offline roof check ${Date.now()}`;
  await createInspection(page, title, 'Harbour office');
  const inspectionId = await openInspection(page, title);
  // One removal at a time, each seen in the DOM before the next: a count read right after a
  // click could still include the removed item, and a click then waited for a gone button.
  const checklist = page.getByTestId('checklist-item');
  await expect(checklist.first()).toBeVisible();
  for (let left = await checklist.count(); left > 0; left--) {
    await page.getByRole('button', { name: 'Remove item 1', exact: true }).click();
    await expect(checklist).toHaveCount(left - 1);
  }
  const items = [
    { label: 'Gutters clear', result: 'pass' },
    { label: 'Flashing intact', result: 'fail', note: 'Loose near the north vent' },
    { label: 'Solar panels secured', result: 'na' },
  ] as const;
  for (const [i, item] of items.entries()) {
    await page.getByTestId('add-checklist-item').click();
    await page.getByTestId(`checklist-label-${i}`).fill(item.label);
    await page.getByTestId('checklist-item').nth(i).getByTestId(`result-${item.result}`).click();
    if ('note' in item) await page.getByTestId(`checklist-note-${i}`).fill(item.note);
  }
  await page.getByTestId('save-inspection').click();
  await expect
    .poll(async () =>
      ((await localDoc(page, inspectionId))['checklist'] as { label: string; result: string }[]).map((c) => [c.label, c.result]),
    )
    .toEqual(items.map((item) => [item.label, item.result]));

  // A defect with two photos (a JPEG and a PNG, generated in the page).
  await page.getByTestId('add-defect').click();
  await page.getByTestId('defect-title').fill('Flashing lifted at north vent');
  await page.getByTestId('defect-location').fill('Roof, north side');
  await page.getByTestId('defect-description').fill('About 40 cm of flashing has come loose; water can get under the membrane.');
  await page.getByTestId('severity-4').click();
  await page.getByTestId('save-defect').click();
  await expect(page).toHaveURL(/\/defects\/defect:/);
  const { defectId } = idsFromUrl(page);
  await addPhotos(page, [await makeTestImage(page, 1, 'image/jpeg', 1200, 900), await makeTestImage(page, 2, 'image/png', 480, 640)]);

  // Nothing may leave the device while offline: the app holds the defect as not pushed yet,
  // and the server has nothing.
  await expect(page.getByTestId('sync-badge')).toHaveAttribute('data-status', 'pending');
  expect(await serverIds(user)).toEqual([]);

  // Reload while offline: the service worker serves the shell, IndexedDB still has the data.
  await page.reload();
  await expectSyncState(page, 'offline');
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await expect(page.getByTestId('defect-title')).toHaveValue('Flashing lifted at north vent');
  await expect(page.getByTestId('photo-thumb')).toHaveCount(2);
  await page.getByRole('link', { name: '← Inspection' }).click();
  await expect(page.getByTestId('inspection-heading')).toHaveText(title);
  await expect(page.getByTestId('checklist-item')).toHaveCount(3);
  await expect(page.getByTestId('checklist-label-1')).toHaveValue('Flashing intact');
  await expect(page.getByTestId('checklist-note-1')).toHaveValue('Loose near the north vent');
  for (const [i, item] of items.entries()) {
    await expect(page.getByTestId('checklist-item').nth(i).getByTestId(`result-${item.result}`)).toHaveClass(/mat-button-toggle-checked/);
  }
  await expect(page.getByTestId('defect-row')).toHaveCount(1);
  await expect(page.getByTestId('defect-row')).toContainText('2 photos');
  expect(await serverIds(user)).toEqual([]);

  // Back online: both documents arrive, at the revisions the device holds.
  await context.setOffline(false);
  const localInspection = await localDoc(page, inspectionId);
  const localDefect = await localDoc(page, defectId!);
  await expect
    .poll(async () => [(await serverDoc(user, inspectionId))?.['_rev'], (await serverDoc(user, defectId!))?.['_rev']], { timeout: 20_000 })
    .toEqual([localInspection['_rev'], localDefect['_rev']]);
  await expectSyncState(page, 'paused');
  await expect(page.getByTestId('sync-badge').first()).toHaveAttribute('data-status', 'synced');

  const { _attachments: serverAttachments, ...serverDefect } = (await serverDoc(user, defectId!))!;
  const { _attachments: localAttachments, _conflicts, ...defectFields } = localDefect;
  expect(serverDefect).toEqual(defectFields);
  expect(await serverDoc(user, inspectionId)).toEqual(localInspection);

  // Two photos: a thumbnail each on the defect, the full size each in a photo document; identical on both sides.
  const thumbs = Object.keys(localAttachments as object).sort();
  expect(thumbs.filter((name) => name.startsWith('thumb-'))).toHaveLength(2);
  expect(thumbs).toHaveLength(2);
  expect(Object.keys(serverAttachments as object).sort()).toEqual(thumbs);
  const fullSizes = thumbs.map((name) => ({ id: `photo:${defectId}:${name.slice('thumb-'.length)}`, name: 'full' }));
  const photos: Buffer[] = [];
  for (const { id, name } of [...thumbs.map((name) => ({ id: defectId!, name })), ...fullSizes]) {
    const local = await localAttachment(page, id, name);
    const remote = await serverDb(user).attachment.get(id, name);
    expect(local.length, `${id} ${name}`).toBeGreaterThan(1000);
    expect([local[0], local[1]], `${id} ${name} is a JPEG`).toEqual([0xff, 0xd8]);
    expect(remote.equals(local), `${id} ${name}: ${remote.length} bytes on the server, ${local.length} on the device`).toBe(true);
    const digest = async (doc: Promise<Record<string, unknown> | null>) =>
      ((await doc)!['_attachments'] as Record<string, { digest: string }>)[name].digest;
    expect(await digest(serverDoc(user, id))).toBe(await digest(localDoc(page, id)));
    if (name === 'full') photos.push(local);
  }
  expect(photos[0].equals(photos[1])).toBe(false);
});
