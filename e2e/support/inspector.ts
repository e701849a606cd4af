/* Helpers for the inspector acceptance tests (e2e/inspector-*.e2e.ts). */
import { randomUUID } from 'node:crypto';
import { expect, type Page } from '@playwright/test';
import { inspection } from '../../test/fixtures/documents';
import { isAuditId } from '../../domain/audit-entry';
import { userDbName } from '../../domain/user-db-name';
import { addUser } from '../../couch/users';
import { DEMO_PASSWORD } from './e2e-env';
import { serverAdmin } from './server-admin';

declare global {
  interface Window {
    /** The logged-in user's local PouchDB, exposed by the app for end-to-end tests. */
    fieldbookDb?: PouchDB.Database<object>;
  }
}

/** A new inspector with the demo password, so a test has a server database of its own. */
export async function freshInspector(prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await addUser(serverAdmin(), name, DEMO_PASSWORD, 'inspector');
  return name;
}

/** The user's server database, read with nano as admin. */
export function serverDb(user: string) {
  return serverAdmin().use<Record<string, unknown>>(userDbName(user));
}

/** A document from the user's server database, or null while it is not there. */
export async function serverDoc(user: string, id: string): Promise<Record<string, unknown> | null> {
  try {
    return (await serverDb(user).get(id)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

/** Every record id in the user's server database: no design documents, no audit entries. */
export async function serverIds(user: string): Promise<string[]> {
  const { rows } = await serverDb(user).list();
  return rows.map((row) => row.id).filter((id) => !id.startsWith('_design/') && !isAuditId(id));
}

/**
 * Waits until the service worker controls the page and has cached the whole app shell
 * (every file of the prefetched "app" asset group in ngsw.json), so the app can start
 * offline.
 */
export async function waitForOfflineShell(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  const manifest = (await (await page.request.get('/ngsw.json')).json()) as {
    assetGroups: { name: string; urls: string[] }[];
  };
  const shell = manifest.assetGroups.find((group) => group.name === 'app')!.urls;
  expect(shell).toContain('/index.html');
  await expect
    .poll(
      () =>
        page.evaluate(async (urls) => {
          const names = (await caches.keys()).filter((name) => name.endsWith(':assets:app:cache'));
          const cached = new Set<string>();
          for (const name of names) {
            for (const request of await (await caches.open(name)).keys()) cached.add(new URL(request.url).pathname);
          }
          return urls.filter((url) => !cached.has(url));
        }, shell),
      { message: 'app shell files not yet cached by the service worker', timeout: 30_000 },
    )
    .toEqual([]);
}

/**
 * Takes the page's browser context offline once the service worker holds the app shell: a
 * page not yet controlled by it would fetch the next page's lazy chunk from the network, and
 * fail offline (the flake this replaced).
 */
export async function goOffline(page: Page): Promise<void> {
  await waitForOfflineShell(page);
  await page.context().setOffline(true);
}

/** The id of the inspection (and defect) whose page is open. */
export function idsFromUrl(page: Page): { inspectionId: string; defectId?: string } {
  const match = /\/inspections\/(inspection:[^/]+)(?:\/defects\/(defect:[^/]+))?/.exec(decodeURIComponent(page.url()));
  if (!match) throw new Error(`not on an inspection page: ${page.url()}`);
  return { inspectionId: match[1], defectId: match[2] };
}

/** Opens an inspection from the list by its (unique) title. */
export async function openInspection(page: Page, title: string): Promise<string> {
  await page.getByTestId('inspection-row').filter({ hasText: title }).click();
  await expect(page.getByTestId('inspection-heading')).toHaveText(title);
  return idsFromUrl(page).inspectionId;
}

/** A document from the page's local PouchDB (`window.fieldbookDb`), with attachment stubs. */
export function localDoc(page: Page, id: string): Promise<Record<string, unknown>> {
  return page.evaluate((docId) => window.fieldbookDb!.get(docId, { conflicts: true }), id) as Promise<Record<string, unknown>>;
}

/** Ids of the records in the page's local PouchDB: no design documents, no audit entries. */
export function localIds(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const { rows } = await window.fieldbookDb!.allDocs();
    return rows.map((row) => row.id).filter((id) => !id.startsWith('_design/') && !id.startsWith('audit:'));
  });
}

/** The bytes of an attachment as the page's PouchDB stores them. */
export async function localAttachment(page: Page, id: string, name: string): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ([docId, attachment]) => {
      const blob = (await window.fieldbookDb!.getAttachment(docId, attachment)) as Blob;
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    [id, name] as const,
  );
  return Buffer.from(base64, 'base64');
}

export interface TestImage {
  name: string;
  mimeType: 'image/png' | 'image/jpeg';
  buffer: Buffer;
}

/**
 * A small generated photo (drawn on a canvas in the page, so no fixture files): a concrete-
 * grey wall with a crack and a marker, different for each `seed`.
 */
export async function makeTestImage(
  page: Page,
  seed: number,
  mimeType: TestImage['mimeType'],
  width = 640,
  height = 480,
): Promise<TestImage> {
  const base64 = await page.evaluate(
    async ({ seed, mimeType, width, height }) => {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d')!;
      let state = seed * 9301 + 49297;
      const random = () => (state = (state * 9301 + 49297) % 233280) / 233280;
      const wall = g.createLinearGradient(0, 0, width, height);
      wall.addColorStop(0, seed % 2 ? '#b8b5ad' : '#a9b2b8');
      wall.addColorStop(1, seed % 2 ? '#8f8a80' : '#7d878e');
      g.fillStyle = wall;
      g.fillRect(0, 0, width, height);
      for (let i = 0; i < 900; i++) {
        g.fillStyle = `rgba(40,40,40,${random() * 0.25})`;
        g.fillRect(random() * width, random() * height, 2 + random() * 3, 2 + random() * 3);
      }
      g.strokeStyle = '#2b2b2b';
      g.lineWidth = 4;
      g.beginPath();
      let x = width * (0.2 + random() * 0.2);
      let y = 0;
      g.moveTo(x, y);
      while (y < height) {
        x += (random() - 0.45) * 60;
        y += 20 + random() * 40;
        g.lineTo(x, y);
      }
      g.stroke();
      g.strokeStyle = '#e53935';
      g.lineWidth = 6;
      g.beginPath();
      g.arc(width * 0.62, height * 0.45, Math.min(width, height) * 0.18, 0, Math.PI * 2);
      g.stroke();
      g.fillStyle = '#ffffff';
      g.font = `bold ${Math.round(height / 12)}px sans-serif`;
      g.fillText(`Photo ${seed}`, 16, height - 20);
      const blob = await canvas.convertToBlob({ type: mimeType, quality: 0.9 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    { seed, mimeType, width, height },
  );
  return { name: `photo-${seed}.${mimeType === 'image/png' ? 'png' : 'jpg'}`, mimeType, buffer: Buffer.from(base64, 'base64') };
}

/** Adds photos on the open defect page, one at a time, waiting for each thumbnail. */
export async function addPhotos(page: Page, images: TestImage[]): Promise<void> {
  const thumbs = page.getByTestId('photo-thumb');
  const before = await thumbs.count();
  for (const [index, image] of images.entries()) {
    await page.getByTestId('photo-input').setInputFiles(image);
    await expect(thumbs).toHaveCount(before + index + 1);
  }
}

/** A valid inspection document as the app would write it for `user` (to inject or seed). */
export function inspectionDoc(user: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return inspection(user, {
    title: 'Injected inspection',
    site: 'Depot 4',
    scheduledFor: new Date().toISOString().slice(0, 10),
    checklist: [{ id: randomUUID(), label: 'Access and escape routes clear', result: null }],
    deviceId: 'device-e2e',
    ...fields,
  });
}
