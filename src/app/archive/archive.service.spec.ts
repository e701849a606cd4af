import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { defect } from '../../../test/fixtures/documents';
import { filter, firstValueFrom } from 'rxjs';
import { ChangesFeedReader } from '../core/changes-feed-reader.service';
import { ConflictIndexService } from '../core/conflict-index.service';
import { DraftStore } from '../drafts/draft-store.service';
import { LocalDbService } from '../core/local-db.service';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { Database, PouchDB } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { PushLedgerService } from '../core/push-ledger.service';
import { ANA, fakeSessions, provideTestData, trackRequests, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { endSyncTracking } from '../testing/sync-tracking';
import { ArchiveIndexService } from './archive-index.service';
import { ArchiveSettingsService } from './archive-settings.service';
import { ArchiveService } from './archive.service';
import { atLastLook, localIds, pullRevision, seedApproved, takePhoto } from '../testing/archive-test-data';
import { InspectionHoldService } from './inspection-hold.service';
import { LocalPurgeService } from './local-purge.service';
import { newPhotoDoc } from '../../../domain/photo-doc';
import { PHOTO_CACHE_BUDGET } from '../photos/photo-cache.service';
import { UnassignmentService } from './unassignment.service';

// The test clock (test-support) says 2026-03-01: the period is 30 days.
const OLD = '2026-01-10T08:00:00.000Z';
const RECENT = '2026-02-20T08:00:00.000Z';

describe('ArchiveService', () => {
  let db: Database;
  let server: Database;
  let ledger: PushLedgerService;

  beforeEach(async () => {
    // A local stand-in for the user's server database, with the same Mango indexes.
    server = new PouchDB<object>(`${uniqueDbPrefix()}server`);
    for (const { fields, name, ddoc } of MANGO_INDEXES) await server.createIndex({ index: { fields, name, ddoc } });
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions()),
        { provide: REMOTE_DB_FACTORY, useValue: () => server },
        { provide: ArchiveSettingsService, useValue: { refresh: () => Promise.resolve(30), archiveDays: signal(30) } },
        // Room for two full-size photos of 1,000 bytes.
        { provide: PHOTO_CACHE_BUDGET, useValue: 2_500 },
      ],
    });
    // The `indexeddb` adapter, which purges.
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    trackRequests(db);
    ledger = TestBed.inject(PushLedgerService);
  });

  afterEach(async () => {
    // The ledger and the conflict index stop, the reads and writes still under way (a look of
    // the archive's watch) end, then the database goes (and the watch of it stops first).
    await endSyncTracking(db);
    await server.destroy();
  });

  /** Everything written so far reached the server. */
  async function synced(): Promise<void> {
    await Promise.all([ledger.attach(db), TestBed.inject(ConflictIndexService).attach(db)]);
    await ledger.pushCheckpoint((await db.info()).update_seq);
  }

  it('keeps the full-size photos taken here within the photo budget once the server has them, dropping the oldest', async () => {
    const { defect: found } = await seedApproved(db, 'Recent roof', RECENT);
    const photos = ['2026-02-20', '2026-02-21', '2026-02-22'].map((day) =>
      newPhotoDoc({ defectId: found._id, createdBy: 'ana', createdAt: `${day}T08:00:00.000Z`, deviceId: 'device-test' }, `${day}.jpg`, {
        content_type: 'image/jpeg',
        data: new Blob([new Uint8Array(1_000)], { type: 'image/jpeg' }),
      }),
    );
    await db.bulkDocs(photos as PouchDB.Core.PutDocument<object>[]);
    await synced();

    await TestBed.inject(ArchiveService).archiveNow();

    // 3,000 bytes over a 2,500 budget: the oldest goes; no photo was opened from the server.
    const ids = await localIds(db);
    expect(ids).not.toContain(photos[0]._id);
    expect(ids).toContain(photos[1]._id);
    expect(ids).toContain(photos[2]._id);
  });

  it('takes approved inspections older than the period off the device with their defects and audit entries, and lists them', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    const recent = await seedApproved(db, 'Recent roof', RECENT);
    const held = await seedApproved(db, 'Stairs with an unsynced edit', OLD);
    await synced();
    // An edit of the held one's defect the server does not have yet.
    await db.put({ ...held.defect, description: 'More rust' });
    await waitFor(() => ledger.pendingIds().has(held.defect._id), 'the edit pending');
    const purged: string[] = [];
    TestBed.inject(LocalPurgeService).purged$.subscribe((id) => purged.push(id));

    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(1);

    const ids = await localIds(db);
    expect(ids.filter((id) => id.includes(old.doc._id) || id.includes(old.defect._id))).toEqual([]);
    for (const kept of [recent.doc._id, recent.defect._id, held.doc._id, held.defect._id]) expect(ids).toContain(kept);
    expect(purged).toEqual([old.defect._id, old.doc._id]);
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([
      jasmine.objectContaining({
        id: old.doc._id,
        title: 'Old boiler room',
        site: old.doc.site,
        approvedAt: OLD,
        defectIds: [old.defect._id],
      }),
    ]);
    // What the storage view counts for the archive: its index, kept here.
    expect(await TestBed.inject(ArchiveIndexService).storedBytes()).toBeGreaterThan(100);
    // Purged, not deleted: nothing new to push, no tombstone on the changes feed.
    expect(ledger.pendingIds()).toEqual(new Set([held.defect._id]));
    const { results } = await db.changes({ since: 0 });
    expect(results.filter((change) => change.id === old.doc._id)).toEqual([]);
    // A second run finds nothing more.
    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(0);
  });

  it('keeps an inspection whose full-size photo the server refused: the photo is the only copy', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    const photoId = await takePhoto(db, old.defect._id);
    await synced();
    await ledger.rejected(photoId, 'full must be a JPEG, PNG or WebP image');

    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(0);

    expect(await TestBed.inject(InspectionHoldService).holdOf(db, old.doc._id)).toBe('refused');
    for (const kept of [photoId, old.defect._id, old.doc._id]) expect(await localIds(db)).toContain(kept);
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
  });

  it('keeps a defect saved here between its last look and its purge: the edit stays, and so does its inspection', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    await db.replicate.to(server);
    await synced();
    // Ana taps Save on the defect's page at that moment.
    const saved = atLastLook(ledger, old.defect._id, async () =>
      db.put({ ...(await db.get(old.defect._id)), description: 'Typed on site' }),
    );

    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(0);

    expect(saved()).toBeTrue();
    expect((await db.get<{ description: string }>(old.defect._id)).description).toBe('Typed on site');
    expect(ledger.pendingIds().has(old.defect._id)).toBeTrue();
    expect(await localIds(db)).toContain(old.doc._id);
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
  });

  it('keeps an inspection while the user is typing on its defect (no pause yet, so no draft): the typing is kept as a draft first', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    await synced();
    const drafts = TestBed.inject(DraftStore);
    // The defect's page is open and ana is typing: her form writes its draft once typing pauses, or when asked.
    drafts.holdTyping(async () => {
      const draft = { values: { description: 'Typed on site' }, inspectionId: old.doc._id, savedAt: new Date().toISOString() };
      await drafts.put(old.defect._id, { ...draft, baseRev: old.defect._rev });
    });

    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(0);

    expect(await drafts.get(old.defect._id)).toEqual(jasmine.objectContaining({ inspectionId: old.doc._id }));
    for (const kept of [old.defect._id, old.doc._id]) expect(await localIds(db)).toContain(kept);
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
  });

  it('keeps an inspection whose defect’s typing pauses (a draft is kept) between its last look and its purge', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    await db.replicate.to(server);
    await synced();
    const drafts = TestBed.inject(DraftStore);
    const typed = atLastLook(ledger, old.defect._id, () =>
      drafts.put(old.defect._id, {
        values: { description: 'Typed on site' },
        baseRev: old.defect._rev,
        inspectionId: old.doc._id,
        savedAt: OLD,
      }),
    );

    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(0);

    expect(typed()).toBeTrue();
    for (const kept of [old.defect._id, old.doc._id]) expect(await localIds(db)).toContain(kept);
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
  });

  it('keeps an inspection whose audit entry is not pushed yet: a resolution writes its entries after the record, so the push may have taken the record alone', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    await synced();
    // The entry of Ana's resolution of a conflict on it; the push is past the record but not past this.
    const entry = { _id: `audit:${old.doc._id}:${RECENT}:device-test:cd34`, type: 'audit', docId: old.doc._id, deviceId: 'device-test' };
    await db.put(entry);
    expect(await ledger.unsyncedNow()).toBe(1);

    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(0);

    expect(await localIds(db)).toContain(entry._id);
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
    // Pushed: the next run archives it.
    await ledger.pushCheckpoint((await db.info()).update_seq);
    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(1);
  });

  it('counts, for a press of the button during a background run, what that run archives too', async () => {
    await seedApproved(db, 'Old boiler room', OLD);
    await synced();
    const archive = TestBed.inject(ArchiveService);

    const background = archive.archiveNow();
    const pressed = archive.archiveNow();

    expect(await background).toBe(1);
    expect(await pressed).toBe(1);
    // Nothing under way: a press counts its own run alone.
    expect(await archive.archiveNow()).toBe(0);
  });

  it('runs once per database across tabs: one starts when another tab’s run ends', async () => {
    await seedApproved(db, 'Old boiler room', OLD);
    await synced();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Another tab's run holds the lock.
    let otherTabHolds!: () => void;
    const holding = new Promise<void>((resolve) => (otherTabHolds = resolve));
    const otherTab = navigator.locks.request(`fieldbook-archive:${db.name}`, () => {
      otherTabHolds();
      return held;
    });
    await holding;
    let ended = false;
    const run = TestBed.inject(ArchiveService)
      .archiveNow()
      .finally(() => (ended = true));
    // Waiting while the other tab's run holds the lock: everything is still here.
    await waitFor(
      async () => !!(await navigator.locks.query()).pending?.some((lock) => lock.name === `fieldbook-archive:${db.name}`),
      'this run waiting for the lock',
    );
    expect(ended).toBeFalse();
    expect((await localIds(db)).length).toBeGreaterThan(0);
    release();
    await otherTab;
    expect(await run).toBe(1);
  });

  it('keeps archived an inspection another tab’s run took off after this run’s search listed it', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    await db.replicate.to(server);
    await synced();
    const listed = await db.find({ selector: { type: 'inspection', status: 'approved' }, use_index: ['idx-type-status', 'type-status'] });
    const archive = TestBed.inject(ArchiveService);
    expect(await archive.archiveNow()).toBe(1);
    // This run's search as it answered before the other run's purge.
    const find = db.find.bind(db);
    spyOn(db, 'find').and.callFake(((request: PouchDB.Find.FindRequest<object>) =>
      request.selector['status'] === 'approved' ? Promise.resolve(listed) : find(request)) as typeof db.find);
    expect(await archive.archiveNow()).toBe(0);
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([
      jasmine.objectContaining({ id: old.doc._id, defectIds: [old.defect._id] }),
    ]);
    expect((await localIds(db)).filter((id) => id.includes(old.doc._id) || id.includes(old.defect._id))).toEqual([]);
  });

  /** An old approved inspection, on the server too, archived off the device while the service watches the pull. */
  async function archivedOnWatch() {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    // The server's copy: the same revisions (the archived defect did not change there).
    await db.replicate.to(server);
    await synced();
    const archive = TestBed.inject(ArchiveService);
    archive.watch();
    await archive.archiveNow();
    return old;
  }

  it('lets an archived inspection back as a live record once it changes on the server, with its defects from the server', async () => {
    const old = await archivedOnWatch();
    const index = TestBed.inject(ArchiveIndexService);
    expect(index.archived().length).toBe(1);

    // A supervisor reopened it: the pull brings the new revision.
    ledger.pulled([{ _id: old.doc._id, _rev: await pullRevision(db, old.doc, { status: 'rejected', updatedAt: RECENT }) }]);

    await waitFor(() => index.archived().length === 0, 'the archive entry gone');
    expect((await db.get<{ status: string }>(old.doc._id)).status).toBe('rejected');
    await waitFor(async () => (await localIds(db)).includes(old.defect._id), 'its defect back');
    expect((await db.get(old.defect._id))._rev).toBe(old.defect._rev);
    // With the audit entries of both: the history shows every save again.
    const ids = await localIds(db);
    for (const docId of [old.doc._id, old.defect._id]) expect(ids.filter((id) => id.startsWith(`audit:${docId}:`)).length).toBe(1);
    // As pulled: not an edit waiting to be pushed.
    expect(ledger.pendingIds().has(old.defect._id)).toBeFalse();
  });

  it('leaves an archived inspection archived when only its shape changed on the server (`npm run migrate`): its defects are not fetched back, and the next run takes it off again', async () => {
    const migrated = await seedApproved(db, 'Old boiler room', OLD);
    const reopened = await seedApproved(db, 'Old stairs', OLD);
    await db.replicate.to(server);
    await synced();
    const archive = TestBed.inject(ArchiveService);
    const index = TestBed.inject(ArchiveIndexService);
    archive.watch();
    expect(await archive.archiveNow()).toBe(2);

    // The migration keeps the last change's time; the reopening, pulled after it, is looked at after it.
    ledger.pulled([{ _id: migrated.doc._id, _rev: await pullRevision(db, migrated.doc, { schema: 2, priority: 'normal' }) }]);
    ledger.pulled([{ _id: reopened.doc._id, _rev: await pullRevision(db, reopened.doc, { status: 'rejected', updatedAt: RECENT }) }]);
    await waitFor(async () => (await localIds(db)).includes(reopened.defect._id), 'the reopened one’s defect back');

    expect(index.archived().map((entry) => entry.id)).toEqual([migrated.doc._id]);
    expect(await localIds(db)).not.toContain(migrated.defect._id);
    expect(await archive.archiveNow()).toBe(1);
    expect((await localIds(db)).filter((id) => id.includes(migrated.doc._id))).toEqual([]);
    expect(index.archived()).toEqual([jasmine.objectContaining({ id: migrated.doc._id, defectIds: [migrated.defect._id] })]);
  });

  it('keeps an inspection reopened on the server while it was being archived, with its defects back from the server', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    await db.replicate.to(server);
    await synced();
    const archive = TestBed.inject(ArchiveService);
    archive.watch();
    const purgeable = db as unknown as { purge(id: string, rev: string): Promise<unknown> };
    const purge = purgeable.purge.bind(db);
    let reopened: Promise<string> | null = null;
    spyOn(purgeable, 'purge').and.callFake(async (id: string, rev: string) => {
      // While its defect goes, the pull brings the supervisor's reopening.
      reopened ??= pullRevision(db, old.doc, { status: 'rejected', updatedAt: RECENT }, (pulled) =>
        ledger.pulled([{ _id: old.doc._id, _rev: pulled }]),
      );
      await reopened;
      return purge(id, rev);
    });

    expect(await archive.archiveNow()).toBe(0);

    expect(reopened).not.toBeNull();
    expect((await db.get<{ status: string }>(old.doc._id)).status).toBe('rejected');
    await waitFor(async () => (await localIds(db)).includes(old.defect._id), 'its defect back from the server');
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
  });

  it('keeps an inspection whose reopening the pull writes between its last look and its purge, with its defects back from the server', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    await db.replicate.to(server);
    await synced();
    const archive = TestBed.inject(ArchiveService);
    archive.watch();
    const reopened = atLastLook(ledger, old.doc._id, () =>
      pullRevision(db, old.doc, { status: 'rejected', updatedAt: RECENT }, (rev) => ledger.pulled([{ _id: old.doc._id, _rev: rev }])),
    );

    expect(await archive.archiveNow()).toBe(0);

    expect(reopened()).toBeTrue();
    expect((await db.get<{ status: string }>(old.doc._id)).status).toBe('rejected');
    await waitFor(async () => (await localIds(db)).includes(old.defect._id), 'its defect back from the server');
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
  });

  it('finishes a purge cut short still knowing the defects that left before: a supervisor’s change to one leaves too', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    const other = defect('ana', old.doc._id, { inspectionStatus: 'approved', updatedAt: OLD });
    await db.put(other);
    await db.replicate.to(server);
    await synced();
    const archive = TestBed.inject(ArchiveService);
    archive.watch();
    // The tab closes once the first defect has left: every purge after it fails.
    const left: string[] = [];
    TestBed.inject(LocalPurgeService).purged$.subscribe((id) => left.push(id));
    const purgeable = db as unknown as { purge(id: string, rev: string): Promise<unknown> };
    const purge = purgeable.purge.bind(db);
    const purging = spyOn(purgeable, 'purge').and.callFake(async (id: string, rev: string) => {
      if (left.length) throw new Error('the tab closed');
      return purge(id, rev);
    });
    await expectAsync(archive.archiveNow()).toBeRejected();
    const [first] = left;
    expect(left.length).toBe(1);
    expect(await localIds(db)).toContain(old.doc._id);

    // The next start finishes it.
    purging.and.callFake(purge);
    expect(await archive.archiveNow()).toBe(1);

    const index = TestBed.inject(ArchiveIndexService);
    expect(index.archived()).toEqual([
      jasmine.objectContaining({ id: old.doc._id, defectIds: jasmine.arrayWithExactContents([old.defect._id, other._id]) }),
    ]);
    expect(index.holdsRecord(first)).toBeTrue();
    // Sam's audit entries of a change to each defect, as the pull writes them: both leave.
    const theirs = [first, ...[old.defect._id, other._id].filter((id) => id !== first)].map((docId) => ({
      _id: `audit:${docId}:${RECENT}:device-sam:ab12`,
      type: 'audit',
      docId,
      deviceId: 'device-sam',
      _rev: '1-5a3f',
    }));
    await db.bulkDocs(theirs, { new_edits: false });
    // Looked at one at a time, in the feed's order: once the second is gone, the first was looked at too.
    await waitFor(async () => !(await localIds(db)).includes(theirs[1]._id), 'the entry of the defect purged on the next start gone');
    expect(await localIds(db)).not.toContain(theirs[0]._id);
  });

  it('lets an archived inspection back on the next run when the tab closed before it looked at the pull that reopened it', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    await db.replicate.to(server);
    await synced();
    expect(await TestBed.inject(ArchiveService).archiveNow()).toBe(1);
    // The pull writes the supervisor's reopening; the tab closes before its look (no watch yet).
    const heard = firstValueFrom(TestBed.inject(ChangesFeedReader).changes$.pipe(filter((change) => change.id === old.doc._id)));
    ledger.pulled([{ _id: old.doc._id, _rev: await pullRevision(db, old.doc, { status: 'rejected', updatedAt: RECENT }) }]);
    await heard;

    // The next start: the pull has nothing new, sync quiets and archiving runs.
    const archive = TestBed.inject(ArchiveService);
    archive.watch();
    await archive.archiveNow();

    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
    expect(await localIds(db)).toContain(old.defect._id);
  });

  it('fetches the defects of a returning inspection on a later run when the server did not answer at first', async () => {
    const old = await archivedOnWatch();
    const find = spyOn(server, 'find').and.rejectWith(new TypeError('Failed to fetch'));

    ledger.pulled([{ _id: old.doc._id, _rev: await pullRevision(db, old.doc, { status: 'rejected', updatedAt: RECENT }) }]);
    await waitFor(() => find.calls.count() > 0, 'a first try');
    // In coverage again: sync catches up, and archiving runs.
    find.and.callThrough();
    await TestBed.inject(ArchiveService).archiveNow();

    expect(await localIds(db)).toContain(old.defect._id);
  });

  it('lets an archived inspection reassigned away go, without fetching its defects back', async () => {
    const old = await seedApproved(db, 'Old boiler room', OLD);
    const other = await seedApproved(db, 'Old roof', OLD);
    await db.replicate.to(server);
    await synced();
    const archive = TestBed.inject(ArchiveService);
    archive.watch();
    expect(await archive.archiveNow()).toBe(2);
    const told = spyOn(TestBed.inject(MatSnackBar), 'open');
    TestBed.inject(UnassignmentService).watch();
    const restored = spyOn(TestBed.inject(LocalPurgeService), 'restoreRecords').and.callThrough();

    const fields = { assignedTo: 'bob', unassignedFrom: 'ana', updatedBy: 'sam', updatedAt: RECENT };
    ledger.pulled([{ _id: old.doc._id, _rev: await pullRevision(db, old.doc, fields) }]);
    await waitFor(() => told.calls.count() > 0, 'the notice');
    // Heard after it, in the feed's order: the other one reopened, whose defects do come back.
    ledger.pulled([{ _id: other.doc._id, _rev: await pullRevision(db, other.doc, { status: 'rejected', updatedAt: RECENT }) }]);
    await waitFor(async () => (await localIds(db)).includes(other.defect._id), 'the other one’s defect back');

    expect(restored.calls.allArgs().map(([, , id]) => id)).toEqual([other.doc._id]);
    expect((await localIds(db)).filter((id) => id.includes(old.doc._id) || id.includes(old.defect._id))).toEqual([]);
    expect(TestBed.inject(ArchiveIndexService).archived()).toEqual([]);
  });

  it('keeps an edit of an archived defect saved just after the look at a revision of it the pull brought', async () => {
    const old = await archivedOnWatch();
    // A page left open since before the archiving: ana saves the defect at that moment.
    const saved = atLastLook(ledger, old.defect._id, async () =>
      db.put({ ...(await db.get(old.defect._id)), description: 'Typed on site' }),
    );

    await pullRevision(db, old.defect, { description: 'Checked again by sam' }, (rev) =>
      ledger.pulled([{ _id: old.defect._id, _rev: rev }]),
    );
    // Heard after it, in the feed's order: sam's audit entry of it, which leaves.
    const theirs = {
      _id: `audit:${old.defect._id}:${RECENT}:device-sam:ab12`,
      type: 'audit',
      docId: old.defect._id,
      deviceId: 'device-sam',
    };
    await db.bulkDocs([{ ...theirs, _rev: '1-5a3f' }], { new_edits: false });
    await waitFor(async () => !(await localIds(db)).includes(theirs._id), 'sam’s audit entry gone');

    expect(saved()).toBeTrue();
    expect((await db.get<{ description: string }>(old.defect._id)).description).toBe('Typed on site');
    expect(ledger.pendingIds().has(old.defect._id)).toBeTrue();
  });

  it('lets a defect of an archived inspection go again when only the defect changed on the server; the inspection stays archived', async () => {
    const old = await archivedOnWatch();
    const index = TestBed.inject(ArchiveIndexService);

    // Written here and not pushed yet (a page left open since before the archiving): it stays.
    const mine = defect('ana', old.doc._id, { title: 'Written on this tablet' });
    await db.put(mine);
    // A supervisor's note on the archived defect: the pull brings it, alone.
    await pullRevision(db, old.defect, { description: 'Checked again by sam' }, (rev) =>
      ledger.pulled([{ _id: old.defect._id, _rev: rev }]),
    );

    await waitFor(async () => !(await localIds(db)).includes(old.defect._id), 'the defect gone again');
    expect(index.has(old.doc._id)).toBeTrue();
    expect(await localIds(db)).not.toContain(old.doc._id);
    // Looked at before the supervisor's change (one at a time, in the feed's order) and kept.
    expect(await localIds(db)).toContain(mine._id);
    expect(ledger.pendingIds()).toEqual(new Set([mine._id]));
  });

  it('lets a defect of an archived inspection go again when the replication reports it as pulled only after the feed told it', async () => {
    const old = await archivedOnWatch();
    // The order a live pull may take: the changes feed first (pending for a moment), then the replication's report.
    const rev = await pullRevision(db, old.defect, { description: 'Checked again by sam' });
    await waitFor(() => ledger.pendingIds().has(old.defect._id), 'the revision counted as pending');
    ledger.pulled([{ _id: old.defect._id, _rev: rev }]);

    await waitFor(async () => !(await localIds(db)).includes(old.defect._id), 'the defect gone again');
    expect(TestBed.inject(ArchiveIndexService).has(old.doc._id)).toBeTrue();
  });

  it('leaves no tombstone of an archived defect deleted on the server without its body', async () => {
    const old = await archivedOnWatch();
    await pullRevision(db, { _id: old.defect._id, _rev: old.defect._rev }, { _deleted: true }, (rev) =>
      ledger.pulled([{ _id: old.defect._id, _rev: rev }]),
    );

    // Purged: no leaf, not even a deleted one (the adapter answers 404 for a document it never had).
    const leaves = () => db.get(old.defect._id, { open_revs: 'all' }).catch(() => []);
    await waitFor(async () => (await leaves()).length === 0, 'every revision of it purged');
  });

  it('lets the audit entry of a supervisor’s change to an archived defect go too; one written on this tablet stays', async () => {
    const old = await archivedOnWatch();
    const entry = (device: string, random: string) => ({
      _id: `audit:${old.defect._id}:${RECENT}:${device}:${random}`,
      type: 'audit',
      docId: old.defect._id,
      docType: 'defect',
      deviceId: device,
    });
    // Written here (a page left open since before the archiving): it may not be pushed yet.
    const mine = entry('device-test', 'cd34');
    await db.put(mine);
    // Sam's, as the pull writes it.
    const theirs = entry('device-sam', 'ab12');
    await db.bulkDocs([{ ...theirs, _rev: '1-5a3f' }], { new_edits: false });

    await waitFor(async () => !(await localIds(db)).includes(theirs._id), 'the pulled audit entry gone');
    expect(await localIds(db)).toContain(mine._id);
  });
});
