import { TestBed } from '@angular/core/testing';
import { Inspection } from '../../../domain/doc-types';
import { DocWriterService, newDocId } from '../data/doc-writer.service';
import { saveInspection } from '../testing/save-inspection';
import { ANA, fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { LocalDbService } from './local-db.service';
import { Database } from './pouchdb';
import { SyncLedgerService } from './sync-ledger.service';

describe('SyncLedgerService', () => {
  let db: Database;
  let ledger: SyncLedgerService;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions()) });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(SyncLedgerService);
    await ledger.attach(db);
  });

  afterEach(async () => {
    ledger.detach();
    await TestBed.inject(LocalDbService).destroy();
  });

  it('counts local edits as pending until the push checkpoint passes them', async () => {
    const first = await saveInspection('First');
    await waitFor(() => ledger.pendingIds().has(first._id), 'first pending');
    expect(ledger.statusOf(first)).toBe('pending');
    const seq = (await db.info()).update_seq;
    await ledger.pushCheckpoint(seq);
    expect(ledger.pendingCount()).toBe(0);
    expect(ledger.statusOf(first)).toBe('synced');

    const second = await saveInspection('Second');
    await waitFor(() => ledger.pendingIds().has(second._id), 'second pending');
    expect(ledger.pendingIds().has(first._id)).toBeFalse();
  });

  it('counts a local edit as pending by the time the live feed tells anyone else of it', async () => {
    // A page that rereads on this change (the inspection list) must not find it "synced".
    const heard = new Promise<boolean>((resolve) => {
      const subscription = TestBed.inject(LocalDbService).changes$.subscribe((change) => {
        if (!change.id.startsWith('inspection:')) return;
        subscription.unsubscribe();
        resolve(ledger.pendingIds().has(change.id));
      });
    });
    await saveInspection('Just saved');
    expect(await heard).toBeTrue();
  });

  it('does not count a refused revision as waiting to sync, before the push checkpoint too', async () => {
    const refused = await saveInspection('Refused');
    const waiting = await saveInspection('Waiting');
    await waitFor(() => ledger.pendingCount() === 2, 'two pending');
    // The push reported the refusal; its checkpoint never came (the device went offline).
    await ledger.rejected(refused._id, 'site: must be a real site');
    expect([...ledger.pendingIds()]).toEqual([waiting._id]);
    expect(ledger.unsyncedCount()).toBe(2);

    const fixed = await saveInspection('Fixed', refused);
    await waitFor(() => ledger.pendingIds().has(fixed._id), 'the new revision to be pending');
  });

  it('does not count documents that came from the server', async () => {
    const doc = await saveInspection('Pulled');
    ledger.pulled([doc]);
    await saveInspection('Local');
    await waitFor(() => ledger.pendingCount() === 1, 'one pending');
    expect(ledger.pendingIds().has(doc._id)).toBeFalse();
  });

  it('takes back a pending mark when the pull reports the revision after the changes feed showed it', async () => {
    const doc = await saveInspection('Pulled late');
    await waitFor(() => ledger.pendingIds().has(doc._id), 'seen as pending first');
    ledger.pulled([doc]);
    expect(ledger.pendingIds().has(doc._id)).toBeFalse();
  });

  it('marks a pulled document pending again once it is edited here', async () => {
    const doc = await saveInspection('Pulled');
    ledger.pulled([doc]);
    const edited = await saveInspection('Edited here', doc);
    await waitFor(() => ledger.pendingIds().has(edited._id), 'the edit pending');
    expect(ledger.statusOf(edited)).toBe('pending');
  });

  it('ignores design documents', async () => {
    await db.put({ _id: '_design/anything', views: {} });
    await saveInspection('Local');
    await waitFor(() => ledger.pendingCount() === 1, 'one pending');
    expect([...ledger.pendingIds()].some((id) => id.startsWith('_design/'))).toBeFalse();
  });

  it('marks a refused revision as rejected until a later revision gets through', async () => {
    const doc = await saveInspection('Refused');
    await ledger.pushCheckpoint((await db.info()).update_seq);
    await ledger.rejected(doc._id, 'site: must be a real site');
    expect(ledger.statusOf(doc)).toBe('rejected');
    expect(ledger.rejections()[doc._id].reason).toBe('site: must be a real site');
    expect(ledger.unsyncedCount()).toBe(1);

    const fixed = await saveInspection('Fixed', doc);
    await waitFor(() => ledger.statusOf(fixed) === 'pending', 'the edit to be pending');
    await ledger.pushed([fixed]);
    expect(ledger.rejectedCount()).toBe(0);
  });

  it('keeps the furthest push checkpoint when an older one is reported late', async () => {
    const first = await saveInspection('First');
    await waitFor(() => ledger.pendingIds().has(first._id), 'first pending');
    const firstSeq = (await db.info()).update_seq;
    const second = await saveInspection('Second');
    await waitFor(() => ledger.pendingIds().has(second._id), 'second pending');
    await ledger.pushCheckpoint((await db.info()).update_seq);
    await ledger.pushCheckpoint(firstSeq);
    expect(ledger.pendingCount()).toBe(0);
    ledger.detach();
    await ledger.attach(db);
    expect(ledger.pendingCount()).toBe(0);
  });

  it('takes a push checkpoint another tab stored when it is further along', async () => {
    const doc = await saveInspection('Pushed by the other tab');
    await waitFor(() => ledger.pendingIds().has(doc._id), 'pending here');
    const otherTab = TestBed.runInInjectionContext(() => new SyncLedgerService());
    await otherTab.attach(db);
    await otherTab.pushCheckpoint((await db.info()).update_seq);
    otherTab.detach();

    expect(ledger.pendingCount()).toBe(1);
    await ledger.adoptStoredCheckpoint();
    expect(ledger.pendingCount()).toBe(0);
  });

  it('keeps the checkpoint and refusals across a reload', async () => {
    const refused = await saveInspection('Refused');
    await ledger.pushCheckpoint((await db.info()).update_seq);
    await ledger.rejected(refused._id, 'title: nope');
    ledger.detach();

    const reloaded = TestBed.inject(SyncLedgerService);
    await reloaded.attach(db);
    expect(reloaded.pendingCount()).toBe(0);
    expect(reloaded.rejections()[refused._id].reason).toBe('title: nope');
  });

  it('flags documents with conflicting revisions and counts them', async () => {
    const doc = await saveInspection('Roof');
    await db.bulkDocs([{ ...doc, _rev: '1-ffffffffffffffffffffffffffffffff', title: 'Other tablet' }], { new_edits: false });
    const read = await db.get(doc._id, { conflicts: true });
    expect(ledger.statusOf(read)).toBe('conflict');
    await waitFor(() => ledger.conflictCount() === 1, 'one conflict');
    expect(ledger.conflictIds().has(doc._id)).toBeTrue();

    // Resolving it (a resolution's tombstone on the losing revision) clears it.
    await db.bulkDocs([{ _id: doc._id, _rev: read._conflicts![0], _deleted: true, mergedInto: read._rev }]);
    await waitFor(() => ledger.conflictCount() === 0, 'no conflict');
  });

  it('flags a deletion on one device against an edit on another, which _conflicts leaves out', async () => {
    const doc = await saveInspection('Roof');
    const edited = await saveInspection('Edited here', doc);
    const [, hash] = doc._rev!.split('-');
    const deletion = { _id: doc._id, _deleted: true, _revisions: { start: 2, ids: ['d'.repeat(32), hash] } };
    await db.bulkDocs([deletion], { new_edits: false });
    expect((await db.get(doc._id, { conflicts: true }))._conflicts).toBeUndefined();
    await waitFor(() => ledger.conflictIds().has(doc._id), 'the deletion conflict');
    expect(ledger.statusOf(edited)).toBe('conflict');
  });

  it('announces conflicted documents with their leaves when they change, and the known ones on attach', async () => {
    const updates: string[][] = [];
    const subscription = ledger.conflictUpdates$.subscribe((docs) => updates.push(docs.map((doc) => `${doc.id} ${doc.leaves.length}`)));
    const doc = await saveInspection('Roof');
    await saveInspection('Unconflicted');
    await db.bulkDocs([{ ...doc, _rev: '1-ffffffffffffffffffffffffffffffff', title: 'Other tablet' }], { new_edits: false });
    await waitFor(() => updates.length === 1, 'an update');
    expect(updates).toEqual([[`${doc._id} 2`]]);

    ledger.detach();
    await ledger.attach(db);
    expect(updates).toEqual([[`${doc._id} 2`], [`${doc._id} 2`]]);
    subscription.unsubscribe();
  });

  it('takes documents resolved here off the list at once, and puts them back if still conflicted', async () => {
    const doc = await saveInspection('Roof');
    await db.bulkDocs([{ ...doc, _rev: '1-ffffffffffffffffffffffffffffffff', title: 'Other tablet' }], { new_edits: false });
    await waitFor(() => ledger.conflictCount() === 1, 'one conflict');
    ledger.resolved([doc._id]);
    expect(ledger.conflictCount()).toBe(0);
    await waitFor(() => ledger.conflictCount() === 1, 'the conflict back after the check');
  });
});
