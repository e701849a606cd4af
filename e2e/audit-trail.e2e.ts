import { expect, test } from '@playwright/test';
import { auditIdRange } from '../domain/audit-entry';
import { HUB_DB } from '../domain/db-names';
import type { AuditEntry } from '../domain/doc-types';
import { userDbName } from '../domain/user-db-name';
import { createInspection, expectSyncState, logIn } from './support/app-actions';
import { freshInspector, goOffline, localDoc, openInspection } from './support/inspector';
import { serverAdmin } from './support/server-admin';

/** The titles an inspection's entries in a server database changed, oldest first (nano as admin). */
async function serverTitleChanges(db: string, docId: string): Promise<string[]> {
  const { rows } = await serverAdmin()
    .use(db)
    .list({ ...auditIdRange(docId), include_docs: true });
  return rows.map((row) => {
    const change = (row.doc as unknown as AuditEntry).changes.find((each) => each.path === 'title');
    return `${change?.before ?? ''} → ${change?.after ?? ''}`;
  });
}

test('five offline edits of an inspection: each is in its history, on the server and in the hub, not only the last', async ({
  page,
  context,
  browser,
}) => {
  test.setTimeout(120_000);
  // The supervisor's tablet, signed in before the inspector's goes offline.
  const supervisor = await (await browser.newContext()).newPage();
  await logIn(supervisor, 'sam');
  const user = await freshInspector('audit');
  await logIn(page, user);
  await expectSyncState(page, 'paused');

  await goOffline(page);
  await expectSyncState(page, 'offline');
  const title = `Audited boiler room ${Date.now()}`;
  await createInspection(page, title, 'Depot 4');
  const id = await openInspection(page, title);

  const titles = [1, 2, 3, 4, 5].map((edit) => `${title} v${edit}`);
  for (const next of titles) {
    await page.getByTestId('inspection-title').fill(next);
    await page.getByTestId('save-inspection').click();
    await expect.poll(async () => (await localDoc(page, id))['title']).toBe(next);
    await expect(page.getByTestId('inspection-heading')).toHaveText(next);
  }
  // One record waits to go up, however many saves it took.
  await expect(page.getByTestId('sync-pending')).toHaveText('1 pending');

  // The history on the page, newest first: who, on which device, what each save changed.
  const entries = page.getByTestId('audit-entry');
  await expect(entries).toHaveCount(6);
  const expected = [...titles].reverse().map((after, i, all) => `Title: ${all[i + 1] ?? title} → ${after}`);
  for (const [i, change] of expected.entries()) {
    await expect(entries.nth(i).getByTestId('audit-change')).toHaveText(change);
    await expect(entries.nth(i).getByTestId('audit-user')).toHaveText(user);
    await expect(entries.nth(i).getByTestId('audit-device')).toHaveText(/^Device [0-9a-f]{8}$/);
  }
  await expect(entries.nth(5)).toHaveAttribute('data-action', 'create');

  // Online: the server and the supervisor's hub get all five edits, not only the revision that won.
  await context.setOffline(false);
  await expectSyncState(page, 'paused', 30_000);
  await expect(page.getByTestId('sync-pending')).toHaveCount(0);
  const changes = [title, ...titles].slice(0, 5).map((before, i) => `${before} → ${titles[i]}`);
  await expect.poll(() => serverTitleChanges(userDbName(user), id)).toEqual([` → ${title}`, ...changes]);
  await expect.poll(() => serverTitleChanges(HUB_DB, id), { timeout: 30_000 }).toEqual([` → ${title}`, ...changes]);

  // The supervisor reads the same history from the hub.
  await supervisor.goto(`/supervisor/inspections/${encodeURIComponent(id)}`);
  await expect(supervisor.getByTestId('review-heading')).toHaveText(titles[4]);
  const seen = supervisor.getByTestId('audit-entry');
  await expect(seen).toHaveCount(6);
  for (const [i, change] of expected.entries()) await expect(seen.nth(i).getByTestId('audit-change')).toHaveText(change);
  await supervisor.context().close();
});
