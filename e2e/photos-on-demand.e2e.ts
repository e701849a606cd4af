import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { PHOTO_ATTACHMENT } from '../domain/photo-doc';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { addPhotos, freshInspector, goOffline, makeTestImage, openInspection, serverDoc } from './support/inspector';

/** One of the user's tablets: its own browser profile (local database, device id). */
interface Tablet {
  context: BrowserContext;
  page: Page;
}

const REPLICATION_MS = 20_000;

async function tablet(browser: Browser, user: string): Promise<Tablet> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, user);
  await expectSyncState(page, 'paused');
  return { context, page };
}

/** Ids of the full-size photo documents in the tablet's local database. */
function localPhotoIds(page: Page): Promise<string[]> {
  return page.evaluate(async () =>
    (await window.fieldbookDb!.allDocs({ startkey: 'photo:', endkey: 'photo:\ufff0' })).rows.map((row) => row.id),
  );
}

/** The attachment names of a document in the tablet's local database; null while it is not there. */
function localAttachments(page: Page, id: string): Promise<string[] | null> {
  return page.evaluate(
    (docId) =>
      window.fieldbookDb!.get(docId).then(
        (doc) => Object.keys((doc as { _attachments?: object })._attachments ?? {}),
        () => null,
      ),
    id,
  );
}

/** Each attachment's digest by name: the MD5 of its bytes, computed by whoever stored them. */
function digests(doc: unknown): Record<string, string> {
  const attachments = (doc as { _attachments?: Record<string, { digest: string }> })._attachments ?? {};
  return Object.fromEntries(Object.entries(attachments).map(([name, { digest }]) => [name, digest]));
}

async function openPhoto(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Open photo 1' }).click();
  await expect(page.getByTestId('photo-full')).toBeVisible();
  await expect.poll(() => page.getByTestId('photo-full').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(800);
}

/** Throttles the page's downloads so that `bytes` take about four seconds, until restored. */
async function slowDownloads(page: Page, bytes: number): Promise<{ restore(): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  const conditions = (downloadThroughput: number) => ({ offline: false, latency: 0, downloadThroughput, uploadThroughput: -1 });
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', conditions(Math.ceil(bytes / 4)));
  return {
    async restore() {
      await cdp.send('Network.emulateNetworkConditions', conditions(-1));
      await cdp.detach();
    },
  };
}

async function closePhoto(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('photo-full')).toHaveCount(0);
}

/** The storage view, reached in the app (it works offline): the sync chip, then the Sync page's link. */
async function freeSpace(page: Page): Promise<void> {
  await page.getByTestId('sync-state').click();
  await page.getByTestId('open-storage').click();
  await expect(page.getByTestId('usage-photos')).toBeVisible();
  await page.getByTestId('free-space').click();
  await expect(page.getByTestId('space-freed')).toBeVisible();
}

test('a full-size photo stays on the tablet that took it and the server; another tablet has its thumbnail, fetches the photo when opened, keeps it offline, and frees the space, while an unpushed photo survives', async ({
  browser,
}) => {
  // Two first logins and two photo round trips: 33 s on a quiet CI machine, 90 s on a loaded one.
  test.setTimeout(180_000);
  const user = await freshInspector('photos');
  const a = await tablet(browser, user);
  const b = await tablet(browser, user);

  // Tablet A takes a photo of a defect; it syncs.
  await createInspection(a.page, 'Boiler house');
  await openInspection(a.page, 'Boiler house');
  await a.page.getByTestId('add-defect').click();
  await a.page.getByTestId('defect-title').fill('Flue corroded');
  await a.page.getByTestId('severity-4').click();
  await addPhotos(a.page, [await makeTestImage(a.page, 7, 'image/jpeg', 800, 600)]);
  await a.page.getByTestId('save-defect').click();
  await expect(a.page).toHaveURL(/\/defects\/defect:/);
  const defectUrl = new URL(a.page.url()).pathname;
  const defectId = decodeURIComponent(defectUrl.split('/').pop()!);
  const [photoId] = await localPhotoIds(a.page);
  expect(photoId).toMatch(new RegExp(`^photo:${defectId}:`));
  await expect.poll(() => serverDoc(user, photoId), { timeout: REPLICATION_MS }).not.toBeNull();
  await expect.poll(() => serverDoc(user, defectId), { timeout: REPLICATION_MS }).not.toBeNull();

  // Tablet B has the defect and its thumbnail, not the full-size photo.
  await expect.poll(() => localAttachments(b.page, defectId), { timeout: REPLICATION_MS }).toEqual([expect.stringMatching(/^thumb-/)]);
  expect(await localPhotoIds(b.page)).toEqual([]);

  // A tablet whose first login comes after the photo: its first pull brings the thumbnail, the bytes the server holds.
  const c = await tablet(browser, user);
  const local = await c.page.evaluate((id) => window.fieldbookDb!.get(id), defectId);
  const onServer = digests(await serverDoc(user, defectId));
  expect(Object.keys(onServer)).toEqual([expect.stringMatching(/^thumb-/)]);
  expect(digests(local)).toEqual(onServer);
  expect(await localPhotoIds(c.page)).toEqual([]);
  await c.page.goto(defectUrl);
  await expect.poll(() => c.page.getByTestId('photo-thumb').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
  await c.context.close();

  // Opened over a slow connection, the viewer says how much of it has come; it is kept.
  await b.page.goto(defectUrl);
  await expect(b.page.getByTestId('photo-thumb')).toHaveCount(1);
  const { _attachments } = (await serverDoc(user, photoId)) as { _attachments: Record<string, { length: number }> };
  const network = await slowDownloads(b.page, _attachments[PHOTO_ATTACHMENT].length);
  await b.page.getByRole('button', { name: 'Open photo 1' }).click();
  // "12 kB of 48 kB": the size comes from the server through the proxy (Content-Length).
  await expect(b.page.getByTestId('photo-progress')).toHaveText(/^[\d.]+ (byte|kB) of [\d.]+ kB$/);
  await network.restore();
  await expect(b.page.getByTestId('photo-full')).toBeVisible();
  await closePhoto(b.page);
  await openPhoto(b.page);
  expect(await localPhotoIds(b.page)).toEqual([photoId]);
  await closePhoto(b.page);

  // Offline, the kept copy still shows.
  await goOffline(b.page);
  await expectSyncState(b.page, 'offline');
  await openPhoto(b.page);
  await closePhoto(b.page);

  // "Free space" drops it: offline now, opening it says why it is not there.
  await freeSpace(b.page);
  expect(await localPhotoIds(b.page)).toEqual([]);
  await b.page.goBack();
  await b.page.goBack();
  await expect(b.page.getByTestId('photo-thumb')).toHaveCount(1);
  await b.page.getByRole('button', { name: 'Open photo 1' }).click();
  await expect(b.page.getByTestId('photo-unavailable')).toContainText('Connect to the network');
  await b.page.getByRole('button', { name: 'Close' }).click();

  // Tablet A, offline, takes a second photo: "Free space" drops the pushed one, never this one.
  await goOffline(a.page);
  await expectSyncState(a.page, 'offline');
  await addPhotos(a.page, [await makeTestImage(a.page, 8, 'image/jpeg', 800, 600)]);
  const unpushed = (await localPhotoIds(a.page)).find((id) => id !== photoId)!;
  await freeSpace(a.page);
  expect(await localPhotoIds(a.page)).toEqual([unpushed]);

  // Back online, it reaches the server, and B fetches it when opened.
  await a.context.setOffline(false);
  await expect.poll(() => serverDoc(user, unpushed), { timeout: REPLICATION_MS }).not.toBeNull();
  await b.context.setOffline(false);
  await expectSyncState(b.page, 'paused', REPLICATION_MS);
  await expect.poll(() => localAttachments(b.page, defectId), { timeout: REPLICATION_MS }).toHaveLength(2);
  await b.page.getByRole('button', { name: 'Open photo 2' }).click();
  await expect(b.page.getByTestId('photo-full')).toBeVisible();
  expect(await localPhotoIds(b.page)).toEqual([unpushed]);

  await a.context.close();
  await b.context.close();
});

test('a device whose storage is nearly full says so on every page, and its link leads to freeing space', async ({ page }) => {
  // The browser's estimate, as a tablet with 850 MB of its 1 GB quota used reports it.
  await page.addInitScript(() => {
    navigator.storage.estimate = () => Promise.resolve({ usage: 850_000_000, quota: 1_000_000_000 });
  });
  await logIn(page, await freshInspector('storage-full'));
  const notice = page.getByTestId('storage-nearly-full');
  await expect(notice).toContainText('Storage on this device is almost full (85% used)');
  await page.getByTestId('sync-state').click();
  await expect(notice).toBeVisible();

  await page.getByTestId('storage-nearly-full-open').click();
  await expect(page).toHaveURL(/\/storage$/);
  // The Storage page says it itself, with the action.
  await expect(page.getByTestId('storage-warning')).toContainText('85% used');
  await expect(notice).toHaveCount(0);
  await expect(page.getByTestId('free-space')).toBeVisible();
});
