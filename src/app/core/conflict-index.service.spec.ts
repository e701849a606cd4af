import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { saveInspection } from '../testing/save-inspection';
import { ANA, fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { ConflictIndexService, UNSAVED_CHANGES_MAX } from './conflict-index.service';
import { LOCAL_DOC_IDS } from './local-doc-ids';
import { LocalDbService } from './local-db.service';
import { Database } from './pouchdb';

describe('ConflictIndexService', () => {
  let db: Database;
  let index: ConflictIndexService;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions()) });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    index = TestBed.inject(ConflictIndexService);
    await index.attach(db);
  });

  afterEach(async () => {
    index.detach();
    await TestBed.inject(LocalDbService).destroy();
  });

  /** Stores a revision another tablet made of `doc`, conflicting with the one here. */
  async function conflictWith(doc: { _id: string; _rev?: string }): Promise<void> {
    await db.bulkDocs([{ ...doc, _rev: '1-ffffffffffffffffffffffffffffffff', title: 'Other tablet' }], { new_edits: false });
  }

  it('flags documents with conflicting revisions and counts them', async () => {
    const doc = await saveInspection('Roof');
    await conflictWith(doc);
    await waitFor(() => index.conflictCount() === 1, 'one conflict');
    expect(index.conflictIds().has(doc._id)).toBeTrue();

    // Resolving it (a resolution's tombstone on the losing revision) clears it.
    const read = await db.get(doc._id, { conflicts: true });
    await db.bulkDocs([{ _id: doc._id, _rev: read._conflicts![0], _deleted: true, mergedInto: read._rev }]);
    await waitFor(() => index.conflictCount() === 0, 'no conflict');
  });

  it('flags a deletion on one device against an edit on another, which _conflicts leaves out', async () => {
    const doc = await saveInspection('Roof');
    await saveInspection('Edited here', doc);
    const [, hash] = doc._rev!.split('-');
    const deletion = { _id: doc._id, _deleted: true, _revisions: { start: 2, ids: ['d'.repeat(32), hash] } };
    await db.bulkDocs([deletion], { new_edits: false });
    expect((await db.get(doc._id, { conflicts: true }))._conflicts).toBeUndefined();
    await waitFor(() => index.conflictIds().has(doc._id), 'the deletion conflict');
  });

  it('finds conflicts that arrived while it was not attached, and keeps them across a reload', async () => {
    index.detach();
    const doc = await saveInspection('Roof');
    await conflictWith(doc);
    await index.attach(db);
    expect([...index.conflictIds()]).toEqual([doc._id]);

    index.detach();
    await index.attach(db);
    expect([...index.conflictIds()]).toEqual([doc._id]);
  });

  it('starts from what the ledger of earlier releases stored', async () => {
    const doc = await saveInspection('Roof');
    await conflictWith(doc);
    index.detach();
    await db.put({
      _id: '_local/fieldbook-sync-ledger',
      pushedSeq: 0,
      rejections: {},
      conflicts: [doc._id],
      conflictSeq: (await db.info()).update_seq,
    });
    const read = spyOn(db, 'changes').and.callThrough();

    await index.attach(db);
    expect([...index.conflictIds()]).toEqual([doc._id]);
    expect(read).toHaveBeenCalledWith(jasmine.objectContaining({ since: Number((await db.info()).update_seq) }));
  });

  it('announces conflicted documents with their leaves when they change, and the known ones on attach', async () => {
    const updates: string[][] = [];
    const subscription = index.conflictUpdates$.subscribe((docs) => updates.push(docs.map((doc) => `${doc.id} ${doc.leaves.length}`)));
    const doc = await saveInspection('Roof');
    await saveInspection('Unconflicted');
    await conflictWith(doc);
    await waitFor(() => updates.length === 1, 'an update');
    expect(updates).toEqual([[`${doc._id} 2`]]);

    index.detach();
    await index.attach(db);
    expect(updates).toEqual([[`${doc._id} 2`], [`${doc._id} 2`]]);
    subscription.unsubscribe();
  });

  it('takes documents resolved here off the list at once, and puts them back if still conflicted', async () => {
    const doc = await saveInspection('Roof');
    // The update that flags it ends by announcing it (after storing the index): wait for that,
    // or the recheck below could hear this update's announcement instead of its own.
    const flagged = firstValueFrom(index.conflictUpdates$);
    await conflictWith(doc);
    await flagged;
    expect(index.conflictCount()).toBe(1);
    const rechecked = firstValueFrom(index.conflictUpdates$);
    index.resolved([doc._id]);
    expect(index.conflictCount()).toBe(0);
    expect((await rechecked).map((update) => update.id)).toEqual([doc._id]);
    expect(index.conflictCount()).toBe(1);
  });

  it('stores how far it has looked once many changes brought no conflict: a reload does not read them again', async () => {
    const pulled = Array.from({ length: UNSAVED_CHANGES_MAX }, (_, n) => ({ _id: `inspection:pulled-${n}`, _rev: `1-${'a'.repeat(32)}` }));
    await db.bulkDocs(pulled, { new_edits: false });
    const stored = () =>
      db.get<{ seq: number }>(LOCAL_DOC_IDS.conflictIndex).then(
        (doc) => Number(doc.seq),
        () => 0,
      );
    await waitFor(async () => (await stored()) > 0, 'the index stored');
    const seq = await stored();
    expect(seq).toBeGreaterThanOrEqual(UNSAVED_CHANGES_MAX);

    index.detach();
    const read = spyOn(db, 'changes').and.callThrough();
    await index.attach(db);
    const since = read.calls.allArgs().flatMap(([options]) => (typeof options?.since === 'number' ? [options.since] : []));
    expect(Math.min(...since)).toBe(seq);
    expect(index.conflictCount()).toBe(0);
  });
});
