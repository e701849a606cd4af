/**
 * The conflict inbox with many conflicts, in the real app (headless Debian Chromium, IndexedDB).
 *
 * Starts a test stack (embedded PouchDB Server + bootstrap, one inspector) and a proxy serving
 * the built PWA, logs the app in with auto-merge off for inspections, then writes N conflicted
 * inspections into the user's server database as admin (`new_edits: false`: a common ancestor
 * and two leaves that changed different fields, as two tablets would after working offline).
 * The app pulls them into its browser PouchDB like any other change. Then it measures:
 *
 *  (1) opening the inbox: from clicking "Conflicts" to the first frame painted after the
 *      list's rows are in the page. Target: <= 1 s for N = 1,000.
 *      Baseline, same run: the database read behind it alone — the N documents read with
 *      `allDocs({keys, include_docs, conflicts})` in the page — so the ratio is what the
 *      page itself adds (navigation, lazy code, rendering).
 *  (2) auto-resolving them all: from switching auto-merge on for inspections to the inbox
 *      saying it is empty. That includes reading every document's versions, fetching their
 *      common ancestors from the server (the app's database compacts them away), the
 *      three-way merge, checking the rules, and writing the merged documents and tombstones.
 *      Target: <= 10 s for N = 1,000.
 *      Baseline, same run: a plain bulk update of the same N documents (one allDocs read and
 *      one bulkDocs write in the page).
 *
 * Afterwards it checks the merges (both leaves' edits in every document, written as the user)
 * and waits until the server has no conflicted document left.
 *
 * A benchmark reports; it does not assert: the exit code is 0 whatever the figures.
 *
 *   npx tsx bench/conflict-inbox.ts [--docs 1000] [--rounds 5] [--app-dir dist/fieldbook-e2e/browser] [--json]
 *
 * Needs the e2e build of the app (`npx ng build -c production,e2e`: the production build plus
 * window.fieldbookDb, which this reads; or --app-dir to another such build) and Chromium
 * (CHROME_BIN, default /usr/bin/chromium).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import pino from 'pino';
import { conflictCandidateIds, findConflictedDocs } from '../domain/conflicts/conflicted-docs';
import { NanoConflictDb } from '../couch/conflicts/nano-conflict-db';
import type { CouchAdmin } from '../couch/couch-admin';
import { userDbName } from '../domain/user-db-name';
import { startProxy, type RunningProxy } from '../proxy/server';
import { E2E_APP_DIR } from '../e2e/support/e2e-env';
import { asRoot, editOf, inspection } from '../test/fixtures/documents';
import { freePort } from '../test/support/free-port';
import { startTestStack, TEST_PASSWORD, type TestStack } from '../test/support/couch-harness';
import { launchChromium } from './bench-chromium';
import { median } from './stats';

const USER = 'bench-conflicts';
const SEED_BATCH = 300;
const TARGET_INBOX_S = 1;
const TARGET_AUTO_RESOLVE_S = 10;

function options() {
  const { values } = parseArgs({
    options: {
      docs: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '5' },
      'app-dir': { type: 'string', default: E2E_APP_DIR },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: tsx bench/conflict-inbox.ts [--docs 1000] [--rounds 5] [--app-dir DIR] [--json]');
    process.exit(0);
  }
  return { docs: Number(values.docs), rounds: Math.max(1, Number(values.rounds)), appDir: resolve(values['app-dir']), json: values.json };
}

const revId = () => randomBytes(16).toString('hex');

/** Revisions of one conflicted inspection: the ancestor, then the two leaves (title vs site edited). */
function conflictedInspection(i: number): Record<string, unknown>[] {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const root = asRoot(
    inspection(USER, {
      title: `Inspection ${i}`,
      site: `Site ${i % 37}`,
      scheduledFor: at.slice(0, 10),
      checklist: ['Access and escape routes clear', 'Fire extinguishers present and in date', 'Electrical panels closed and labelled'].map(
        (label, n) => ({ id: `item-${n}`, label, result: null }),
      ),
      createdAt: at,
      updatedAt: at,
      deviceId: 'tablet-a',
    }),
    revId(),
  );
  const later = (minutes: number) => new Date(Date.parse(at) + minutes * 60_000).toISOString();
  return [
    root,
    editOf(root, revId(), { title: `Inspection ${i} (tablet A)`, updatedAt: later(5) }),
    editOf(root, revId(), { site: `Site ${i % 37} (tablet B)`, updatedAt: later(7), deviceId: 'tablet-b' }),
  ];
}

async function seedConflicts(admin: CouchAdmin, count: number): Promise<string[]> {
  const db = admin.use(userDbName(USER));
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += SEED_BATCH) {
    const docs = Array.from({ length: Math.min(SEED_BATCH, count - offset) }, (_, i) => conflictedInspection(offset + i)).flat();
    const results = (await db.bulk({ docs, new_edits: false })) as { error?: string }[];
    const failed = results.filter((result) => result.error);
    if (failed.length) throw new Error(`seeding failed: ${JSON.stringify(failed[0])}`);
    ids.push(...new Set(docs.map((doc) => doc['_id'] as string)));
  }
  return ids;
}

/** Conflicted documents left in the user's server database. */
async function serverConflictCount(stack: TestStack): Promise<number> {
  const { results } = await stack.admin.use(userDbName(USER)).changes({ style: 'all_docs' });
  return (await findConflictedDocs(new NanoConflictDb(stack.admin, userDbName(USER)), conflictCandidateIds(results))).length;
}

async function logIn(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByTestId('login-name').fill(USER);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('sync-state').waitFor();
}

/** Milliseconds from clicking the nav link `linkTestId` to the first frame painted with `rowTestId` rows; and how many. */
function timeToList(page: Page, linkTestId: string, rowTestId: string): Promise<{ ms: number; rows: number }> {
  return page.evaluate(
    ([link, row]) =>
      new Promise<{ ms: number; rows: number }>((resolve, reject) => {
        const selector = `[data-testid="${row}"]`;
        const started = performance.now();
        const timeout = setTimeout(() => reject(new Error(`no ${row} within 60 s`)), 60_000);
        const done = () => {
          observer.disconnect();
          clearTimeout(timeout);
          // The frame that shows the rows: the next animation frame, then its paint.
          requestAnimationFrame(() =>
            setTimeout(() => resolve({ ms: performance.now() - started, rows: document.querySelectorAll(selector).length })),
          );
        };
        const observer = new MutationObserver(() => document.querySelector(selector) && done());
        observer.observe(document.body, { childList: true, subtree: true });
        (document.querySelector(`[data-testid="${link}"]`) as HTMLElement).click();
      }),
    [linkTestId, rowTestId] as const,
  );
}

/** Milliseconds to read the documents as the inbox does, without the page. */
function timeInboxRead(page: Page, ids: string[]): Promise<number> {
  return page.evaluate(async (keys) => {
    const db = (window as unknown as { fieldbookDb: LocalDb }).fieldbookDb;
    const started = performance.now();
    await db.allDocs({ keys, include_docs: true, conflicts: true });
    return performance.now() - started;
  }, ids);
}

/** Leaves the current page for the light Sync page, so the next measurement starts from the same place. */
async function toSyncPage(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await page.getByTestId('sync-status-state').waitFor();
  await page.waitForTimeout(300);
}

/** Milliseconds from switching auto-merge on for inspections until the inbox says it is empty. */
function timeToAutoResolve(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const timeout = setTimeout(() => reject(new Error('the inbox did not empty within 300 s')), 300_000);
        const observer = new MutationObserver(() => {
          if (!document.querySelector('[data-testid="conflicts-empty"]')) return;
          observer.disconnect();
          clearTimeout(timeout);
          requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - started)));
        });
        observer.observe(document.body, { childList: true, subtree: true });
        (document.querySelector('[data-testid="auto-merge-toggle-inspection"] button') as HTMLElement).click();
      }),
  );
}

type LocalDb = PouchDB.Database<Record<string, unknown>>;

/** How many of the documents carry both tablets' edits and this user's merge trail, and have no conflict. */
function checkMerges(page: Page, ids: string[]): Promise<number> {
  return page.evaluate(async (keys) => {
    const db = (window as unknown as { fieldbookDb: LocalDb }).fieldbookDb;
    const { rows } = await db.allDocs({ keys, include_docs: true, conflicts: true });
    return rows.filter((row) => {
      const doc = 'doc' in row ? row.doc : null;
      return (
        doc &&
        !doc._conflicts &&
        String(doc['title']).endsWith('(tablet A)') &&
        String(doc['site']).endsWith('(tablet B)') &&
        doc['updatedBy'] === doc['mergedBy'] &&
        Array.isArray(doc['mergedFrom'])
      );
    }).length;
  }, ids);
}

/** Milliseconds for one allDocs read and one bulkDocs write updating every document. */
function timeBulkUpdate(page: Page, ids: string[]): Promise<number> {
  return page.evaluate(async (keys) => {
    const db = (window as unknown as { fieldbookDb: LocalDb }).fieldbookDb;
    const started = performance.now();
    const { rows } = await db.allDocs({ keys, include_docs: true });
    const docs = rows.flatMap((row) => ('doc' in row && row.doc ? [{ ...row.doc, notes: 'bulk update baseline' }] : []));
    const results = await db.bulkDocs(docs);
    const ms = performance.now() - started;
    if (results.some((result) => 'error' in result && result.error)) throw new Error('bulk update failed');
    return ms;
  }, ids);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return performance.now() - started;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const opts = options();
  if (!existsSync(join(opts.appDir, 'index.html')))
    throw new Error(`no built app in ${opts.appDir}: run npx ng build -c production,e2e (or pass --app-dir)`);
  console.log(
    `conflict inbox bench: ${opts.docs} conflicted inspections, ${opts.rounds} rounds; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(2)}`,
  );

  const stack = await startTestStack({ [USER]: 'inspector' });
  let proxy: RunningProxy | null = null;
  let browser: Browser | null = null;
  try {
    proxy = await startProxy({
      couchAdminUrl: stack.couch.adminUrl,
      port: await freePort(),
      logger: pino({ level: 'silent' }),
      staticDir: opts.appDir,
    });
    browser = await launchChromium();
    const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 800 } });
    // tsx compiles the functions passed to page.evaluate with calls to its `__name` helper, which the page lacks.
    await context.addInitScript({ content: 'window.__name = (fn) => fn;' });
    // The conflicts must wait in the inbox until the auto-resolve measurement switches auto-merge on.
    await context.addInitScript(() => localStorage.setItem('fieldbook.autoMerge', JSON.stringify({ inspection: false })));
    const page = await context.newPage();
    page.on('console', (message) => message.type() === 'error' && console.error(`[page] ${message.text()}`));
    await logIn(page, proxy.url);

    let started = performance.now();
    const ids = await seedConflicts(stack.admin, opts.docs);
    const seedMs = performance.now() - started;
    started = performance.now();
    const badge = page.getByTestId('conflict-badge');
    await until(
      async () => (await badge.textContent({ timeout: 1_000 }).catch(() => null))?.trim() === String(opts.docs),
      600_000,
      `the badge to count ${opts.docs}`,
    );
    const arrivalMs = performance.now() - started;
    console.log(`seeded on the server in ${seconds(seedMs)}; pulled and flagged by the app in ${seconds(arrivalMs)}`);

    const inbox: { ms: number; rows: number }[] = [];
    const reads: number[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
      await toSyncPage(page);
      inbox.push(await timeToList(page, 'nav-conflicts', 'conflict-row'));
      await toSyncPage(page);
      reads.push(await timeInboxRead(page, ids));
      console.log(
        `round ${round}: inbox ${inbox.at(-1)!.ms.toFixed(0)} ms (${inbox.at(-1)!.rows} rows rendered), its read alone ${reads.at(-1)!.toFixed(0)} ms`,
      );
    }

    await page.getByTestId('nav-conflicts').click();
    await page.getByTestId('conflict-row').first().waitFor();
    const autoResolveMs = await timeToAutoResolve(page);
    const merged = await checkMerges(page, ids);
    const serverCleanMs = await until(async () => (await serverConflictCount(stack)) === 0, 300_000, 'the server to have no conflicts');
    const bulkUpdateMs = await timeBulkUpdate(page, ids);

    const inboxMs = median(inbox.map((run) => run.ms));
    const readMs = median(reads);
    const summary = {
      docs: opts.docs,
      inboxFirstPaintMs: Math.round(inboxMs),
      inboxFirstPaintColdMs: Math.round(inbox[0].ms),
      inboxRowsRendered: inbox[0].rows,
      inboxReadMs: Math.round(readMs),
      inboxVsReadRatio: +(inboxMs / readMs).toFixed(2),
      autoResolveMs: Math.round(autoResolveMs),
      autoResolvePerDocMs: +(autoResolveMs / opts.docs).toFixed(2),
      bulkUpdateMs: Math.round(bulkUpdateMs),
      autoResolveVsBulkUpdateRatio: +(autoResolveMs / bulkUpdateMs).toFixed(1),
      mergedCorrectly: merged,
      serverCleanAfterMs: Math.round(serverCleanMs),
    };
    console.log('');
    console.log(
      `inbox first paint:      ${inboxMs.toFixed(0)} ms median of ${opts.rounds} (first, cold: ${inbox[0].ms.toFixed(0)} ms), ${opts.docs} conflicts listed; target <= ${TARGET_INBOX_S * 1000} ms -> ${inboxMs <= TARGET_INBOX_S * 1000 ? 'met' : 'MISSED'}`,
    );
    console.log(`  baseline: the same read without the page ${readMs.toFixed(0)} ms -> ratio inbox/read ${summary.inboxVsReadRatio}`);
    console.log(
      `auto-resolve all:       ${seconds(autoResolveMs)} (${summary.autoResolvePerDocMs} ms per doc); target <= ${TARGET_AUTO_RESOLVE_S} s -> ${autoResolveMs <= TARGET_AUTO_RESOLVE_S * 1000 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  baseline: plain bulk update of the same docs ${bulkUpdateMs.toFixed(0)} ms -> ratio auto-resolve/bulk update ${summary.autoResolveVsBulkUpdateRatio}`,
    );
    console.log(
      `  ${merged} of ${opts.docs} merged with both edits and the merge trail; the server had no conflict left ${seconds(serverCleanMs)} after the inbox emptied`,
    );
    if (opts.json) console.log(JSON.stringify(summary));
  } finally {
    await browser?.close();
    await proxy?.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
