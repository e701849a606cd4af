import { TestBed } from '@angular/core/testing';
import { auditIdRange } from '../../../domain/audit-entry';
import { AUTO_MERGE_DEVICE_ID } from '../../../domain/conflicts/auto-resolve';
import { keepLeaf, resolveMerge } from '../../../domain/conflicts/conflict-resolution';
import { findConflictedDocs } from '../../../domain/conflicts/conflicted-docs';
import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { mergeLeaves } from '../../../domain/conflicts/three-way-merge';
import { AuditEntry, Inspection } from '../../../domain/doc-types';
import { LocalDbService } from '../core/local-db.service';
import { ConflictIndexService } from '../core/conflict-index.service';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { CLOCK, DocWriterService } from '../data/doc-writer.service';
import { deletionOf, editOf, fakeServer, resolvedOnTwoTablets, rootInspection, storeRevisions } from '../testing/conflict-fixtures';
import { photoData } from '../../../test/fixtures/documents';
import { DEVICE_NAME_STORAGE, DeviceNameService } from '../core/device-name.service';
import { attachSyncTracking, endSyncTracking } from '../testing/sync-tracking';
import { ANA, fakeSessions, provideTestData, uniqueDbPrefix } from '../testing/test-support';
import { ConflictResolverService } from './conflict-resolver.service';
import { ResolutionConflictError } from './resolution-writer.service';
import { ConflictStoreService } from './conflict-store.service';

describe('ConflictResolverService', () => {
  let db: Database;
  let server: ReturnType<typeof fakeServer>;
  let resolver: ConflictResolverService;
  let store: ConflictStoreService;
  let now: Date;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    server = fakeServer(prefix);
    now = new Date('2026-03-03T10:00:00.000Z');
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions(), prefix),
        { provide: REMOTE_DB_FACTORY, useValue: server.open },
        { provide: CLOCK, useValue: () => now },
        // A name given in a spec stays in the spec.
        { provide: DEVICE_NAME_STORAGE, useValue: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined } },
      ],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    await attachSyncTracking(db);
    resolver = TestBed.inject(ConflictResolverService);
    store = TestBed.inject(ConflictStoreService);
  });

  afterEach(async () => {
    await endSyncTracking(db);
    await server.destroy();
  });

  /** Stores the revisions here and on the server stand-in, as replication leaves them. */
  async function replicated(revisions: LeafDoc[]): Promise<void> {
    await storeRevisions(server.open(ANA.db), revisions);
    await storeRevisions(db, revisions);
  }

  const root = rootInspection();
  const leaves = [editOf(root, 'bbb', { title: 'Ours', deviceId: 'device-b' }), editOf(root, 'aaa', { title: 'Theirs', site: 'Plant 9' })];

  it('writes the result through the writer as a change of the logged-in user on this device, with the merge trail', async () => {
    await replicated([root, ...leaves]);
    const writes = spyOn(TestBed.inject(DocWriterService), 'writeResolution').and.callThrough();
    await resolver.resolve(store.conflictDb(), resolveMerge(mergeLeaves(leaves, root), { title: '2-aaa' }, resolver.mergeStamp()));

    expect(writes).toHaveBeenCalled();
    const resolved = await db.get<Inspection & Record<string, unknown>>(root._id, { conflicts: true });
    expect(resolved._conflicts).toBeUndefined();
    expect([resolved.title, resolved.site]).toEqual(['Theirs', 'Plant 9']);
    expect([resolved.createdBy, resolved.updatedBy, resolved.updatedAt, resolved.deviceId]).toEqual([
      'ana',
      'ana',
      '2026-03-03T10:00:00.000Z',
      'device-test',
    ]);
    expect([resolved['mergedFrom'], resolved['mergedBy'], resolved['mergedAt']]).toEqual([
      ['2-bbb', '2-aaa'],
      'ana',
      '2026-03-03T10:00:00.000Z',
    ]);
  });

  it('stamps a deletion it chooses with who deleted it, when and where, as a deletion on the record page is', async () => {
    const edited = editOf(root, 'bbb', { title: 'Ours' });
    const deletion = deletionOf(root, 'zzz', { updatedBy: 'ana', updatedAt: '2026-03-02T09:00:00.000Z', deviceId: 'tablet-c' });
    await replicated([root, edited, deletion]);
    const merge = mergeLeaves([edited, deletion], root);
    expect(await resolver.resolve(store.conflictDb(), resolveMerge(merge, { _deleted: '2-zzz' }, resolver.mergeStamp()))).toBeTrue();

    const rows = await db.get(root._id, { open_revs: 'all' });
    const tombstone = rows.flatMap((row) => ('ok' in row ? [row.ok as Record<string, unknown>] : [])).find((leaf) => leaf['mergedInto']);
    expect([tombstone?.['_deleted'], tombstone?.['updatedBy'], tombstone?.['updatedAt'], tombstone?.['deviceId']]).toEqual([
      true,
      'ana',
      '2026-03-03T10:00:00.000Z',
      'device-test',
    ]);
  });

  it('keeping the version that stands writes nothing on it, and an audit entry on the discarded one: who chose, and what of it changed', async () => {
    await replicated([root, ...leaves]);
    const keepOurs = keepLeaf(mergeLeaves(leaves, root), '2-bbb', resolver.mergeStamp());
    expect(await resolver.resolve(store.conflictDb(), keepOurs)).toBeTrue();

    const kept = await db.get(root._id, { conflicts: true });
    expect([kept._rev, kept._conflicts]).toEqual(['2-bbb', undefined]);
    const entries = (await db.allDocs({ ...auditIdRange(root._id), include_docs: true })).rows.map((row) => row.doc as AuditEntry);
    expect(entries.length).withContext('one entry, on the discarded version').toBe(1);
    expect(entries[0]).toEqual(
      jasmine.objectContaining({
        action: 'update',
        merge: true,
        baseRev: '2-aaa',
        user: 'ana',
        at: '2026-03-03T10:00:00.000Z',
        deviceId: 'device-test',
      }),
    );
    expect(entries[0].changes).toEqual(
      jasmine.arrayWithExactContents([
        { path: 'title', before: 'Theirs', after: 'Ours' },
        { path: 'site', before: 'Plant 9', after: 'Plant 4' },
      ]),
    );
  });

  it('keeping the edit over a deletion writes an entry on the deletion: who chose to keep the record, no field changed', async () => {
    const edited = editOf(root, 'aaa', { title: 'Edited' });
    const deletion = deletionOf(root, 'zzz', { updatedBy: 'ben', updatedAt: '2026-03-02T09:00:00.000Z', deviceId: 'tablet-c' });
    await replicated([root, edited, deletion]);
    expect(
      await resolver.resolve(store.conflictDb(), keepLeaf(mergeLeaves([edited, deletion], root), '2-aaa', resolver.mergeStamp())),
    ).toBeTrue();

    expect((await db.get(root._id))._rev).toBe('2-aaa');
    const entries = (await db.allDocs({ ...auditIdRange(root._id), include_docs: true })).rows.map((row) => row.doc as AuditEntry);
    expect(entries).toEqual([
      jasmine.objectContaining({ action: 'update', merge: true, baseRev: '2-zzz', user: 'ana', deviceId: 'device-test', changes: [] }),
    ]);
  });

  it('refuses a result the rules refuse, writing nothing', async () => {
    const approved = [editOf(root, 'bbb', { status: 'approved', updatedBy: 'sam' }), editOf(root, 'aaa', { title: 'Theirs' })];
    await replicated([root, ...approved]);
    await expectAsync(
      resolver.resolve(store.conflictDb(), resolveMerge(mergeLeaves(approved, root), {}, resolver.mergeStamp())),
    ).toBeRejectedWith(jasmine.objectContaining({ errors: { status: 'an approved inspection can only be changed by a supervisor' } }));
    expect((await db.get(root._id, { open_revs: 'all' })).length).toBe(2);
  });

  it('says the document changed meanwhile (409) when a version it resolves is gone', async () => {
    await replicated([root, ...leaves]);
    const stale = keepLeaf(mergeLeaves(leaves, root), '2-aaa', resolver.mergeStamp());
    const editedAgain: Record<string, unknown> = { ...leaves[0], title: 'Edited again' };
    delete editedAgain['_revisions'];
    await db.put(editedAgain as PouchDB.Core.PutDocument<object>);
    const error = await resolver.resolve(store.conflictDb(), stale).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toEqual(jasmine.any(ResolutionConflictError));
    expect((error as ResolutionConflictError).status).toBe(409);
  });

  it('writes no audit entry when another tab edits the document between the read and the write: the conflict stays', async () => {
    await replicated([root, ...leaves]);
    const resolution = resolveMerge(mergeLeaves(leaves, root), { title: '2-aaa' }, resolver.mergeStamp());
    const editedAgain: Record<string, unknown> = { ...leaves[0], title: 'Edited in another tab' };
    delete editedAgain['_revisions'];
    // The edit lands once the writer has read the leaves, right before its own write.
    const bulkDocs = db.bulkDocs.bind(db) as (...args: unknown[]) => Promise<unknown>;
    let raced = false;
    spyOn(db, 'bulkDocs').and.callFake((async (...args: unknown[]) => {
      if (!raced) {
        raced = true;
        await db.put(editedAgain as PouchDB.Core.PutDocument<object>);
      }
      return bulkDocs(...args);
    }) as never);

    await expectAsync(resolver.resolve(store.conflictDb(), resolution)).toBeRejectedWith(jasmine.any(ResolutionConflictError));

    expect(raced).toBeTrue();
    expect((await db.allDocs(auditIdRange(root._id))).rows).toEqual([]);
    const [still] = await findConflictedDocs(store.conflictDb(), [root._id]);
    expect(still.leaves.map((leaf) => leaf['title']).sort()).toEqual(['Edited in another tab', 'Theirs']);
  });

  it('says so when the result is saved but a losing version was edited again meanwhile: a conflict of the result and that edit', async () => {
    await replicated([root, ...leaves]);
    const resolution = keepLeaf(mergeLeaves(leaves, root), '2-aaa', resolver.mergeStamp());
    // Another device's edit of the losing version, replicated in before the resolution is written.
    await storeRevisions(db, [editOf(leaves[1], 'ddd', { title: 'Theirs, again' })]);

    expect(await resolver.resolve(store.conflictDb(), resolution)).toBeFalse();

    const [still] = await findConflictedDocs(store.conflictDb(), [root._id]);
    const live = still.leaves.filter((leaf) => !leaf._deleted);
    expect(live.map((leaf) => leaf['title']).sort()).toEqual(['Theirs', 'Theirs, again']);
    expect(live.find((leaf) => leaf['title'] === 'Theirs')!['mergedFrom']).toEqual(['2-bbb', '2-aaa']);
  });

  it("leaves two tablets' different resolutions of one conflict to a person: merged against the old winner, they made what nobody chose", async () => {
    await replicated(
      resolvedOnTwoTablets(root, {
        ours: { title: 'Ours', site: 'Plant 8' },
        theirs: { title: 'Theirs', site: 'Plant 9' },
        // Tablet A chose our title and their site, tablet B the other way round.
        a: { title: 'Ours', site: 'Plant 9' },
        b: { title: 'Theirs', site: 'Plant 8' },
      }),
    );
    const outcomes = await resolver.autoResolve(store.conflictDb(), await store.find([root._id]), {});
    expect(outcomes.map((outcome) => outcome.status === 'left' && outcome.details)).toEqual([['title', 'site']]);
    const [stillConflicted] = await store.find([root._id]);
    expect(stillConflicted.leaves.map((leaf) => leaf._rev)).toEqual(['3-tabb', '3-taba']);
  });

  it('puts a conflict back in the inbox when one tablet deleted the document there and another kept it', async () => {
    const ours = editOf(root, 'bbb', { title: 'Ours' });
    const deletion = deletionOf(root, 'zzz', { updatedBy: 'ana', updatedAt: '2026-03-02T09:00:00.000Z', deviceId: 'tablet-c' });
    await replicated([
      root,
      ours,
      deletion,
      // Tablet A chose the deletion, tablet B kept our version.
      deletionOf(ours, 'taba', { mergedInto: '2-bbb' }),
      editOf(ours, 'tabb', { mergedFrom: ['2-bbb', '2-zzz'], mergedBy: 'ana', mergedAt: '2026-03-02T10:00:00.000Z' }),
      deletionOf(deletion, 'tabc', { mergedInto: '2-bbb' }),
    ]);
    const [conflicted] = await store.find([root._id]);
    expect(conflicted?.leaves.map((leaf) => leaf._rev)).toEqual(['3-tabb', '3-taba']);
    const outcomes = await resolver.autoResolve(store.conflictDb(), [conflicted], {});
    expect(outcomes.map((outcome) => outcome.status === 'left' && outcome.details)).toEqual([['_deleted']]);
  });

  describe('photos added on both tablets', () => {
    const photos = [
      editOf(root, 'bbb', { _attachments: { 'thumb-ours': photoData('ours') } }),
      editOf(root, 'aaa', { _attachments: { 'thumb-theirs': photoData('theirs') } }),
    ];

    beforeEach(async () => {
      await storeRevisions(server.open(ANA.db), [root, ...photos]);
      // As the pull stores the other tablet's version when it loses to this one's: after it, on its own.
      await storeRevisions(db, [root, photos[0]]);
      await storeRevisions(db, [photos[1]]);
    });

    async function photosNow(): Promise<Record<string, unknown>> {
      const { _attachments } = await db.get(root._id, { attachments: true });
      return Object.fromEntries(
        Object.entries(_attachments ?? {}).map(([name, attachment]) => [name, 'data' in attachment && attachment.data]),
      );
    }

    it('merges both, the one that came with the losing version too', async () => {
      const outcomes = await resolver.autoResolve(store.conflictDb(), await store.find([root._id]), {});
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['resolved']);
      expect(await photosNow()).toEqual({ 'thumb-ours': btoa('ours'), 'thumb-theirs': btoa('theirs') });
    });

    it('keeps the losing version whole, with its photo', async () => {
      const { db: conflictDb, merge } = (await store.load(root._id))!;
      expect(await resolver.resolve(conflictDb, keepLeaf(merge, '2-aaa', resolver.mergeStamp()))).toBeTrue();
      expect(await photosNow()).toEqual({ 'thumb-theirs': btoa('theirs') });
    });
  });

  it('auto-merges as the logged-in user, and takes the merged ones off the conflict list', async () => {
    const disjoint = [editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { site: 'Plant 9' })];
    await replicated([root, ...disjoint]);
    const resolved = spyOn(TestBed.inject(ConflictIndexService), 'resolved').and.callThrough();
    const outcomes = await resolver.autoResolve(store.conflictDb(), await store.find([root._id]), {});
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['resolved']);
    expect(resolved).toHaveBeenCalledWith([root._id]);
    const merged = await db.get<Inspection & Record<string, unknown>>(root._id);
    expect([merged.title, merged.site, merged.updatedBy, merged['mergedBy']]).toEqual(['Ours', 'Plant 9', 'ana', 'ana']);
  });

  it('auto-merges to the same revision whatever tablet and time it runs on, so a second tablet has nothing new to send', async () => {
    const disjoint = [
      editOf(root, 'bbb', { title: 'Ours', updatedAt: '2026-03-02T09:00:00.000Z', deviceId: 'device-b', deviceName: 'Tablet B' }),
      editOf(root, 'aaa', { site: 'Plant 9', updatedAt: '2026-03-02T08:00:00.000Z', deviceId: 'device-a' }),
    ];
    await replicated([root, ...disjoint]);
    await resolver.autoResolve(store.conflictDb(), await store.find([root._id]), {});
    // The server stand-in as another tablet would hold the same versions: later, and named.
    now = new Date('2026-03-03T10:05:00.000Z');
    TestBed.inject(DeviceNameService).rename('Tablet C');
    const otherTablet = server.open(ANA.db);
    const outcomes = await resolver.autoResolve(otherTablet, await findConflictedDocs(otherTablet, [root._id]), {});
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['resolved']);

    const here = await db.get<Inspection & Record<string, unknown>>(root._id, { revs: true });
    const there = await otherTablet.get<Inspection & Record<string, unknown>>(root._id, { revs: true });
    expect([here.deviceId, here.deviceName, here.updatedAt, here['mergedAt']]).toEqual([
      AUTO_MERGE_DEVICE_ID,
      undefined,
      '2026-03-02T09:00:00.000Z',
      '2026-03-02T09:00:00.000Z',
    ]);
    expect(there._rev).toBe(here._rev);
    const leafRevs = async (on: Database) =>
      (await on.get(root._id, { open_revs: 'all' })).map((leaf) => ('ok' in leaf ? leaf.ok._rev : '')).sort();
    expect(await leafRevs(otherTablet)).toEqual(await leafRevs(db));
  });
});
