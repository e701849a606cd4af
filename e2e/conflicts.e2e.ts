import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { AUTO_MERGE_DEVICE_ID } from '../domain/conflicts/auto-resolve';
import { findConflictedDocs } from '../domain/conflicts/conflicted-docs';
import type { LeafDoc } from '../domain/conflicts/stored-doc';
import { NanoConflictDb } from '../couch/conflicts/nano-conflict-db';
import { userDbName } from '../domain/user-db-name';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { serverAdmin } from './support/server-admin';
import { serverInspectionsTitled } from './support/server-docs';
import { shootBoth } from './support/screenshots';

/** One of alice's tablets: its own browser profile (local database, device id). */
interface Tablet {
  name: string;
  context: BrowserContext;
  page: Page;
}

type Doc = Record<string, unknown> & { _id: string; _rev: string; _conflicts?: string[] };

const USER = 'alice';

async function tablet(browser: Browser, name: string): Promise<Tablet> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, USER);
  await expectSyncState(page, 'paused');
  return { name, context, page };
}

/** The document in the tablet's local database, with `_conflicts`; null once deleted. */
function localDoc(tablet: Tablet, id: string): Promise<Doc | null> {
  return tablet.page.evaluate(
    (docId) => (window as unknown as { fieldbookDb: PouchDB.Database }).fieldbookDb.get(docId, { conflicts: true }).catch(() => null),
    id,
  ) as Promise<Doc | null>;
}

function deviceIdOf(tablet: Tablet): Promise<string | null> {
  return tablet.page.evaluate(() => localStorage.getItem('fieldbook.deviceId'));
}

function serverDoc(id: string): Promise<Doc> {
  return serverAdmin().use(userDbName(USER)).get(id, { conflicts: true }) as Promise<Doc>;
}

/** Every leaf of the document on the server, deleted ones included, with its history. */
async function serverLeaves(id: string): Promise<LeafDoc[]> {
  const rows = (await serverAdmin()
    .use(userDbName(USER))
    .get(id, { open_revs: 'all', revs: true } as never)) as unknown as { ok?: LeafDoc }[];
  return rows.flatMap((row) => (row.ok ? [row.ok] : []));
}

/** Ids of the server documents that still have versions to merge (deleted-vs-edited included). */
async function serverConflicts(id: string): Promise<string[]> {
  const conflicted = await findConflictedDocs(new NanoConflictDb(serverAdmin(), userDbName(USER)), [id]);
  return conflicted.map((doc) => doc.id);
}

/** An inspection created on `first` that every tablet has synced, its editor open on each. */
async function sharedInspection(first: Tablet, tablets: Tablet[], title: string): Promise<string> {
  await createInspection(first.page, title);
  await expect.poll(() => serverInspectionsTitled(USER, title).then((docs) => docs.length), { timeout: 20_000 }).toBe(1);
  const [{ _id: id }] = (await serverInspectionsTitled(USER, title)) as Doc[];
  for (const each of tablets) {
    await expect.poll(() => localDoc(each, id).then((doc) => doc?.['title']), { timeout: 20_000 }).toBe(title);
    await each.page.goto(`/inspections/${id}`);
    await expect(each.page.getByTestId('inspection-title')).toHaveValue(title);
    await expectSyncState(each.page, 'paused');
  }
  return id;
}

async function setOffline(tablets: Tablet[], offline: boolean): Promise<void> {
  for (const each of tablets) await each.context.setOffline(offline);
  if (offline) for (const each of tablets) await expectSyncState(each.page, 'offline');
}

/** Types into one field of the open inspection and saves, offline. */
async function editAndSave(tablet: Tablet, id: string, field: 'title' | 'site', value: string): Promise<void> {
  await tablet.page.getByTestId(`inspection-${field}`).fill(value);
  await tablet.page.getByTestId('save-inspection').click();
  await expect.poll(() => localDoc(tablet, id).then((doc) => doc?.[field])).toBe(value);
}

function inboxRow(tablet: Tablet, id: string) {
  return tablet.page.locator(`[data-testid=conflict-row][data-id="${id}"]`);
}

async function openInbox(tablet: Tablet): Promise<void> {
  await tablet.page.getByTestId('nav-conflicts').click();
  await expect(tablet.page).toHaveURL(/\/conflicts$/);
}

test.describe('conflicts between two tablets of the same inspector', () => {
  let a: Tablet;
  let b: Tablet;

  test.beforeEach(async ({ browser }) => {
    a = await tablet(browser, 'tablet A');
    b = await tablet(browser, 'tablet B');
  });

  test.afterEach(async () => {
    await a.context.close();
    await b.context.close();
  });

  test('edits of different fields merge by themselves; the same field edited twice is resolved per field on one tablet and clears on the other', async () => {
    test.setTimeout(150_000);
    const title = `Pump house ${Date.now()}`;
    const id = await sharedInspection(a, [a, b], title);

    // Offline, each tablet changes a different field.
    await setOffline([a, b], true);
    await editAndSave(a, id, 'title', `${title} (A)`);
    await editAndSave(b, id, 'site', 'Site from B');
    await setOffline([a, b], false);

    // The auto-merge resolves it: both edits everywhere, no conflict left anywhere.
    await expect
      .poll(
        async () => {
          const doc = await serverDoc(id);
          return [doc['title'], doc['site'], doc._conflicts ?? []];
        },
        { timeout: 30_000 },
      )
      .toEqual([`${title} (A)`, 'Site from B', []]);
    await expect.poll(() => serverConflicts(id), { timeout: 15_000 }).toEqual([]);
    for (const each of [a, b]) {
      await expect
        .poll(
          async () => {
            const doc = await localDoc(each, id);
            return [doc?.['title'], doc?.['site'], doc?._conflicts ?? []];
          },
          { timeout: 15_000, message: `${each.name} has the merge` },
        )
        .toEqual([`${title} (A)`, 'Site from B', []]);
      await expect(each.page.getByTestId('inspection-site')).toHaveValue('Site from B');
      await expect(each.page.getByTestId('conflict-badge')).toHaveCount(0);
    }
    // The merge is this user's change, made by the auto-merge, dated by the later of the two edits:
    // whichever tablet merged, it is the same document (and revision).
    const merged = await serverDoc(id);
    expect(merged['updatedBy']).toBe(USER);
    expect(merged['deviceId']).toBe(AUTO_MERGE_DEVICE_ID);
    expect(merged['mergedBy']).toBe(USER);
    expect(merged['mergedFrom']).toHaveLength(2);
    expect(merged['mergedAt']).toBe(merged['updatedAt']);

    // Now both change the same field.
    await expectSyncState(a.page, 'paused');
    await expectSyncState(b.page, 'paused');
    await setOffline([a, b], true);
    await editAndSave(a, id, 'title', 'Title from A');
    await editAndSave(b, id, 'title', 'Title from B');
    await setOffline([a, b], false);

    for (const each of [a, b]) {
      await expect(each.page.getByTestId('conflict-badge')).toBeVisible({ timeout: 30_000 });
      await openInbox(each);
      await expect(inboxRow(each, id)).toBeVisible({ timeout: 15_000 });
    }

    await shootBoth(a.page, 'conflict-inbox', () => expect(inboxRow(a, id)).toBeVisible());
    // Tablet A resolves it by picking B's title.
    await inboxRow(a, id).click();
    const titleRow = a.page.locator('[data-testid=conflict-field][data-path="title"]');
    await expect(titleRow).toHaveAttribute('data-status', 'conflict');
    await expect(a.page.getByTestId('conflict-version')).toHaveCount(2);
    await expect(a.page.getByTestId('ancestor-missing')).toHaveCount(0);
    await expect(a.page.getByTestId('resolve-conflict')).toBeDisabled();
    await titleRow.locator('[data-testid^="choose-"]', { hasText: 'Title from B' }).click();
    await expect(titleRow.getByTestId('conflict-result')).toHaveText('Title from B');
    await shootBoth(a.page, 'conflict-detail', () => expect(titleRow.getByTestId('conflict-result')).toHaveText('Title from B'));
    const resolvedAt = Date.now();
    await a.page.getByTestId('resolve-conflict').click();
    await expect(a.page).toHaveURL(/\/conflicts$/);
    await expect(inboxRow(a, id)).toHaveCount(0);

    // Tablet B's inbox empties by itself, within seconds.
    await expect(inboxRow(b, id)).toHaveCount(0, { timeout: 10_000 });
    console.log(`tablet B's inbox emptied ${Date.now() - resolvedAt} ms after tablet A resolved`);
    for (const each of [a, b]) {
      await expect
        .poll(
          async () => {
            const doc = await localDoc(each, id);
            return [doc?.['title'], doc?.['site'], doc?._conflicts ?? []];
          },
          { message: `${each.name} shows the resolution` },
        )
        .toEqual(['Title from B', 'Site from B', []]);
      await each.page.goto(`/inspections/${id}`);
      await expect(each.page.getByTestId('inspection-title')).toHaveValue('Title from B');
      await expect(each.page.getByTestId('conflict-banner')).toHaveCount(0);
    }
    await expect.poll(async () => (await serverDoc(id))._conflicts ?? [], { timeout: 15_000 }).toEqual([]);
    expect((await serverDoc(id))['title']).toBe('Title from B');
    expect(await serverConflicts(id)).toEqual([]);
  });

  test('both tablets merge the same conflict: the server keeps one merge revision, and neither tablet shows the conflict', async () => {
    test.setTimeout(150_000);
    const title = `Boiler house ${Date.now()}`;
    const id = await sharedInspection(a, [a, b], title);
    // Auto-merge off on both for now: the conflict reaches both tablets and waits there.
    for (const each of [a, b]) {
      await openInbox(each);
      await each.page.getByTestId('auto-merge-toggle-inspection').click();
      await expect(each.page.getByTestId('auto-merge-toggle-inspection').getByRole('switch')).toHaveAttribute('aria-checked', 'false');
      await each.page.goto(`/inspections/${id}`);
      await expect(each.page.getByTestId('inspection-title')).toHaveValue(title);
    }
    await setOffline([a, b], true);
    await editAndSave(a, id, 'title', `${title} (A)`);
    await editAndSave(b, id, 'site', 'Site from B');
    await setOffline([a, b], false);
    for (const each of [a, b]) {
      await expect(each.page.getByTestId('conflict-badge')).toBeVisible({ timeout: 30_000 });
      await openInbox(each);
      await expect(inboxRow(each, id)).toBeVisible({ timeout: 15_000 });
    }

    // Neither tablet's push gets through until both have merged: each merges on its own.
    const held: (() => Promise<void>)[] = [];
    for (const each of [a, b]) {
      await each.context.route('**/_revs_diff', (route) => {
        held.push(() => route.continue().catch(() => undefined));
      });
    }
    for (const each of [a, b]) await each.page.getByTestId('auto-merge-toggle-inspection').click();
    for (const each of [a, b]) {
      await expect(inboxRow(each, id)).toHaveCount(0, { timeout: 15_000 });
      await expect
        .poll(
          async () => {
            const doc = await localDoc(each, id);
            return [doc?.['title'], doc?.['site'], doc?.['mergedFrom'], doc?._conflicts ?? []];
          },
          { message: `${each.name} merged it itself` },
        )
        .toEqual([`${title} (A)`, 'Site from B', expect.any(Array), []]);
    }
    expect(await serverConflicts(id)).toEqual([id]);
    for (const each of [a, b]) await each.context.unroute('**/_revs_diff');
    for (const release of held) await release();

    // Both merges reach the server; they must be the same revision, not two merges to merge again.
    await expect
      .poll(
        async () => {
          const server = await serverDoc(id);
          const locals = await Promise.all([a, b].map((each) => localDoc(each, id)));
          return [(await serverConflicts(id)).length, ...locals.map((doc) => doc?._rev === server._rev && !doc?._conflicts)];
        },
        { timeout: 30_000, message: 'both tablets and the server settled on one version' },
      )
      .toEqual([0, true, true]);
    const leaves = await serverLeaves(id);
    const live = leaves.filter((leaf) => !leaf._deleted);
    const tombstones = leaves.filter((leaf) => leaf._deleted);
    // One merge, and one tombstone on the version that lost: the merged revisions are the two edits.
    expect(
      leaves.map((leaf) => `${leaf._rev}${leaf._deleted ? ' (deleted)' : ''}`),
      'the merge and one tombstone, not a merge from each tablet',
    ).toHaveLength(2);
    expect(live).toHaveLength(1);
    const parentOf = (leaf: LeafDoc) => `${leaf._revisions.start - 1}-${leaf._revisions.ids[1]}`;
    expect(live[0]['mergedFrom']).toEqual([parentOf(live[0]), parentOf(tombstones[0])]);
    expect(live[0]['deviceId']).toBe(AUTO_MERGE_DEVICE_ID);
    for (const each of [a, b]) await expect(each.page.getByTestId('conflict-badge')).toHaveCount(0);
  });

  test('a deletion on one tablet against an edit on the other waits for an explicit choice', async () => {
    test.setTimeout(120_000);
    const title = `Cooling tower ${Date.now()}`;
    const id = await sharedInspection(a, [a, b], title);

    await setOffline([a, b], true);
    await a.page.getByTestId('delete-inspection').click();
    await a.page.getByTestId('delete-inspection-confirm').click();
    await expect.poll(() => localDoc(a, id)).toBeNull();
    await editAndSave(b, id, 'title', `${title}, still needed`);
    await setOffline([a, b], false);

    // Not merged automatically: both inboxes list it.
    for (const each of [a, b]) {
      await expect(each.page.getByTestId('conflict-badge')).toBeVisible({ timeout: 30_000 });
      await openInbox(each);
      await expect(inboxRow(each, id)).toContainText('Deleted in one version', { timeout: 15_000 });
    }
    await expect.poll(() => serverConflicts(id), { timeout: 15_000 }).toEqual([id]);

    // On B: the deleted version says who deleted it where; keep the edit.
    await inboxRow(b, id).click();
    const deletion = b.page.locator('[data-testid=conflict-field][data-path="_deleted"]');
    await expect(deletion).toHaveAttribute('data-status', 'conflict');
    const deletedVersion = b.page.getByTestId('conflict-version').filter({ has: b.page.getByTestId('version-deleted') });
    // A's user gave it no name: a short form of its id, the whole id in the tooltip.
    const deviceA = (await deviceIdOf(a))!;
    await expect(deletedVersion.getByTestId('version-device')).toHaveText(
      `Device ${deviceA.slice('device-'.length, 'device-'.length + 8)}`,
    );
    await expect(deletedVersion.getByTestId('version-device')).toHaveAttribute('title', deviceA);
    await expect(deletedVersion.getByTestId('version-by')).toHaveText(USER);
    await expect(b.page.getByTestId('resolve-conflict')).toBeDisabled();
    await deletion.locator('[data-testid^="choose-"]', { hasText: 'Not deleted' }).click();
    await b.page.getByTestId('resolve-conflict').click();
    await expect(b.page).toHaveURL(/\/conflicts$/);

    await expect(inboxRow(a, id)).toHaveCount(0, { timeout: 10_000 });
    await expect.poll(() => serverConflicts(id), { timeout: 15_000 }).toEqual([]);
    expect((await serverDoc(id))['title']).toBe(`${title}, still needed`);
    await a.page.getByTestId('nav-inspections').click();
    await expect(a.page.getByTestId('inspection-row').filter({ hasText: `${title}, still needed` })).toBeVisible();
  });
});
