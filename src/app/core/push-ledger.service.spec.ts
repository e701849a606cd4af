import { TestBed } from '@angular/core/testing';
import { auditIdRange } from '../../../domain/audit-entry';
import { Inspection } from '../../../domain/doc-types';
import { saveInspection } from '../testing/save-inspection';
import { ANA, fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { ChangesFeedReader } from './changes-feed-reader.service';
import { LocalDbService } from './local-db.service';
import { Database } from './pouchdb';
import { PushLedgerService } from './push-ledger.service';

describe('PushLedgerService', () => {
  let db: Database;
  let ledger: PushLedgerService;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions()) });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    await ledger.attach(db);
  });

  afterEach(async () => {
    ledger.detach();
    await TestBed.inject(LocalDbService).destroy();
  });

  /** Reports `docs` as the pull does: with their audit entries, which come along. */
  async function pulledWithEntries(...docs: Inspection[]): Promise<void> {
    const entries = await Promise.all(
      docs.map(async (doc) => (await db.allDocs(auditIdRange(doc._id))).rows.map(({ id, value }) => ({ _id: id, _rev: value.rev }))),
    );
    ledger.pulled([...docs, ...entries.flat()]);
  }

  it('counts local edits as pending until the push checkpoint passes them', async () => {
    const first = await saveInspection('First');
    await waitFor(() => ledger.pendingIds().has(first._id), 'first pending');
    const seq = (await db.info()).update_seq;
    await ledger.pushCheckpoint(seq);
    expect(ledger.pendingCount()).toBe(0);

    const second = await saveInspection('Second');
    await waitFor(() => ledger.pendingIds().has(second._id), 'second pending');
    expect(ledger.pendingIds().has(first._id)).toBeFalse();
  });

  it('counts a local edit as pending by the time the live feed tells anyone else of it', async () => {
    // A page that rereads on this change (the inspection list) must not find it "synced".
    const heard = new Promise<boolean>((resolve) => {
      const subscription = TestBed.inject(ChangesFeedReader).changes$.subscribe((change) => {
        if (!change.id.startsWith('inspection:')) return;
        subscription.unsubscribe();
        resolve(ledger.pendingIds().has(change.id));
      });
    });
    await saveInspection('Just saved');
    expect(await heard).toBeTrue();
  });

  it('finds edits made before it was attached', async () => {
    ledger.detach();
    const offline = await saveInspection('Written while detached');
    await ledger.attach(db);
    expect([...ledger.pendingIds()]).toEqual([offline._id]);
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
  });

  it('counts a record as unsynced before a logout while an audit entry of it is not pushed (a resolution writes its entries after it)', async () => {
    const record = { _id: 'inspection:resolved', title: 'Resolved' };
    await db.put(record);
    await ledger.pushCheckpoint(Number((await db.info()).update_seq));
    await db.put({ _id: `audit:${record._id}:2026-03-03T10:00:00.000Z:device-test:abc`, type: 'audit', docId: record._id });
    expect(await ledger.unsyncedNow()).toBe(1);
    // Not a pending record to show, nor one to hold on the device.
    expect(ledger.pendingCount()).toBe(0);
    expect(await ledger.holdsUnsynced(db, [record._id])).toBeFalse();
    await ledger.pushCheckpoint(Number((await db.info()).update_seq));
    expect(await ledger.unsyncedNow()).toBe(0);
  });

  it('counts a record while any of its audit entries is not pushed, however they leave', async () => {
    const record = { _id: 'inspection:audited', title: 'Audited' };
    await db.put(record);
    await ledger.pushCheckpoint(Number((await db.info()).update_seq));
    const entryIds = ['10:00', '10:05'].map((at) => `audit:${record._id}:2026-03-03T${at}:00.000Z:device-test:abc`);
    const local = await Promise.all(entryIds.map((id) => db.put({ _id: id, type: 'audit', docId: record._id })));
    await waitFor(() => ledger.pendingEntryRecords().has(record._id), 'the record held for its entries');
    /** The server's later revision of entry `i` pulled: the local one is no longer waiting to go up. */
    const overtaken = async (i: number) => {
      const rev = `2-${'f'.repeat(31)}${i}`;
      ledger.pulled([{ _id: entryIds[i], _rev: rev }]);
      const [, hash] = local[i].rev.split('-');
      await db.bulkDocs(
        [{ _id: entryIds[i], _rev: rev, _revisions: { start: 2, ids: [rev.slice(2), hash] }, type: 'audit', docId: record._id }],
        {
          new_edits: false,
        },
      );
      await ledger.unsyncedNow();
    };

    await overtaken(0);
    expect(ledger.pendingEntryRecords().has(record._id)).withContext('the other entry still holds it').toBeTrue();
    await overtaken(1);
    expect(ledger.pendingEntryRecords().size).toBe(0);
    expect(ledger.pendingCount()).toBe(0);
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
    expect(ledger.rejections()[doc._id]).toEqual(jasmine.objectContaining({ rev: doc._rev, reason: 'site: must be a real site' }));
    expect(ledger.unsyncedCount()).toBe(1);

    const fixed = await saveInspection('Fixed', doc);
    await waitFor(() => ledger.pendingIds().has(fixed._id), 'the edit to be pending');
    await ledger.pushed([fixed]);
    expect(ledger.rejectedCount()).toBe(0);
  });

  it('counts any record as possibly unsynced until it keeps the database’s books (a reload’s first moments): nothing is purged on an empty list', async () => {
    const doc = await saveInspection('Saved');
    await ledger.pushCheckpoint((await db.info()).update_seq);
    expect(await ledger.holdsUnsynced(db, [doc._id])).toBeFalse();
    const edited = await saveInspection('Edited a moment ago', doc);
    // Read from the changes feed up to now, not only what the live feed has told so far.
    expect(await ledger.holdsUnsynced(db, [edited._id])).toBeTrue();
    ledger.detach();
    expect(await ledger.holdsUnsynced(db, [doc._id])).toBeTrue();
  });

  it('marks the revision the server refused, not one saved since, which stays pending', async () => {
    const doc = await saveInspection('Refused');
    const since = await saveInspection('Saved again before the refusal came', doc);
    await waitFor(() => ledger.pendingIds().has(doc._id), 'the edit pending');
    await ledger.rejected(doc._id, 'site: must be a real site', doc._rev);
    expect(ledger.rejections()[doc._id].rev).toBe(doc._rev!);
    expect(ledger.pendingIds().has(since._id)).toBeTrue();
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
    const otherTab = TestBed.runInInjectionContext(() => new PushLedgerService());
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

    const reloaded = TestBed.inject(PushLedgerService);
    await reloaded.attach(db);
    expect(reloaded.pendingCount()).toBe(0);
    expect(reloaded.rejections()[refused._id].reason).toBe('title: nope');
  });

  it('starts from what the ledger of earlier releases stored', async () => {
    const pushed = await saveInspection('Pushed before the update');
    const refused = await saveInspection('Refused before the update');
    ledger.detach();
    const rejection = { rev: refused._rev!, reason: 'title: nope', at: '2026-03-01T08:00:00.000Z' };
    await db.put({
      _id: '_local/fieldbook-sync-ledger',
      pushedSeq: (await db.info()).update_seq,
      rejections: { [refused._id]: rejection },
      conflicts: [],
      conflictSeq: 0,
    });

    await ledger.attach(db);
    expect(ledger.pendingIds().has(pushed._id)).toBeFalse();
    expect(ledger.rejections()).toEqual({ [refused._id]: rejection });
  });

  it('tells whether a local edit up to a sequence is still unpushed', async () => {
    ledger.detach();
    const edit = await saveInspection('Not heard of yet');
    const seq = Number((await db.info()).update_seq);
    await ledger.attach(db);
    expect(await ledger.hasUnpushedUpTo(seq)).toBeTrue();
    // The record and its audit entry: an entry not pushed is a local edit too.
    await pulledWithEntries(edit);
    expect(await ledger.hasUnpushedUpTo(seq)).toBeFalse();
  });

  it('reads again only what the live feed has not told it: not the documents of a first pull at its hand-over', async () => {
    const pulled = Array.from({ length: 300 }, (_, n) => ({ _id: `inspection:pulled-${n}`, _rev: `1-${'a'.repeat(31)}${n % 10}` }));
    // Heard of through the live feed, as while a first pull streams in (the ledger hears first).
    let heard = 0;
    const subscription = TestBed.inject(ChangesFeedReader).changes$.subscribe((change) => (heard = Math.max(heard, change.seq)));
    await db.bulkDocs(pulled, { new_edits: false });
    ledger.pulled(pulled);
    const seq = Number((await db.info()).update_seq);
    await waitFor(() => heard === seq, 'the pull heard of');
    subscription.unsubscribe();
    const read = spyOn(TestBed.inject(ChangesFeedReader), 'read').and.callThrough();

    expect(await ledger.hasUnpushedUpTo(seq)).toBeFalse();
    expect(read).toHaveBeenCalledOnceWith(db, seq);
  });
});

describe('PushLedgerService in two tabs', () => {
  let db: Database;
  let tabA: PushLedgerService;
  let tabB: PushLedgerService;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions()) });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    tabA = TestBed.inject(PushLedgerService);
    await tabA.attach(db);
    tabB = TestBed.runInInjectionContext(() => new PushLedgerService());
    await tabB.attach(db);
  });

  afterEach(async () => {
    tabA.detach();
    tabB.detach();
    await TestBed.inject(LocalDbService).destroy();
  });

  /** Both tabs closed, the app opened again. */
  async function reopened(): Promise<PushLedgerService> {
    tabA.detach();
    tabB.detach();
    const tab = TestBed.runInInjectionContext(() => new PushLedgerService());
    await tab.attach(db);
    return tab;
  }

  it('keeps a refusal one tab heard, for a logout in the other and after both save and close: the edit is not deleted unasked', async () => {
    const refused = await saveInspection('Refused');
    await waitFor(() => tabA.pendingIds().has(refused._id) && tabB.pendingIds().has(refused._id), 'pending in both');
    // Tab A's push offers it, the server refuses it, the checkpoint passes it.
    await tabA.rejected(refused._id, 'site: must be a real site', refused._rev);
    await tabA.pushCheckpoint((await db.info()).update_seq);
    // Tab B's push starts from that checkpoint, past it, and pushes a later edit.
    const other = await saveInspection('Other');
    await waitFor(() => tabB.pendingIds().has(other._id), 'the later edit pending');
    await tabB.pushCheckpoint((await db.info()).update_seq);

    expect(await tabB.unsyncedNow())
      .withContext('a logout in tab B asks first')
      .toBe(1);
    const tab = await reopened();
    expect(await tab.unsyncedNow()).toBe(1);
    expect(Object.keys(tab.rejections())).toEqual([refused._id]);
    tab.detach();
  });

  it('forgets a refusal one tab saw cleared, though the other tab stores its own copy after', async () => {
    const refused = await saveInspection('Refused');
    await waitFor(() => tabA.pendingIds().has(refused._id) && tabB.pendingIds().has(refused._id), 'pending in both');
    await tabA.rejected(refused._id, 'site: must be a real site', refused._rev);
    await tabB.rejected(refused._id, 'site: must be a real site', refused._rev);
    await tabA.pushCheckpoint((await db.info()).update_seq);
    const fixed = await saveInspection('Fixed', refused);
    await waitFor(() => tabB.pendingIds().has(fixed._id), 'the fix pending');
    // Tab A's push sends the fix; tab B's finds the server has it already and reports nothing of it.
    await tabA.pushed([fixed]);
    await tabB.pushCheckpoint((await db.info()).update_seq);

    const tab = await reopened();
    expect(await tab.unsyncedNow()).toBe(0);
    expect(tab.rejections()).toEqual({});
    tab.detach();
  });
});
