import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { defect, inspection } from '../../../test/fixtures/documents';
import { ConflictIndexService } from '../core/conflict-index.service';
import { LocalDbService } from '../core/local-db.service';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { Database, PouchDB } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { PushLedgerService } from '../core/push-ledger.service';
import { ANA, fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { atLastLook, localIds, pullRevision, takePhoto } from '../testing/archive-test-data';
import { DraftStore } from '../drafts/draft-store.service';
import { InspectionHoldService } from './inspection-hold.service';
import { UnassignmentService } from './unassignment.service';

describe('UnassignmentService', () => {
  let db: Database;
  let server: Database;
  let ledger: PushLedgerService;
  let told: jasmine.Spy;

  beforeEach(async () => {
    // A local stand-in for the user's server database, with the same Mango indexes.
    server = new PouchDB<object>(`${uniqueDbPrefix()}server`);
    for (const { fields, name, ddoc } of MANGO_INDEXES) await server.createIndex({ index: { fields, name, ddoc } });
    TestBed.configureTestingModule({
      providers: [...provideTestData(fakeSessions()), { provide: REMOTE_DB_FACTORY, useValue: () => server }],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    told = spyOn(TestBed.inject(MatSnackBar), 'open');
  });

  afterEach(async () => {
    ledger.detach();
    TestBed.inject(ConflictIndexService).detach();
    await TestBed.inject(LocalDbService).destroy();
    await server.destroy();
  });

  /** An inspection sam assigned to ana, with ana's defect, all on the server. */
  async function assignedToAna() {
    const doc = inspection('sam', { title: 'Roof check', assignedTo: 'ana' });
    const found = defect('ana', doc._id);
    await db.bulkDocs([doc, found]);
    await Promise.all([ledger.attach(db), TestBed.inject(ConflictIndexService).attach(db)]);
    await ledger.pushCheckpoint((await db.info()).update_seq);
    return { doc: await db.get(doc._id), defect: await db.get(found._id) };
  }

  /** The reassigning revision arrives by the ordinary pull. */
  async function reassignedToBob(doc: { _id: string; _rev: string }) {
    const rev = await pullRevision(db, doc, { assignedTo: 'bob', unassignedFrom: 'ana', updatedBy: 'sam' });
    ledger.pulled([{ _id: doc._id, _rev: rev }]);
  }

  /**
   * When the purge comes to `purgedId`, the server's revision of `found` (its defect) is pulled
   * first, as a pull racing the purge writes it; answers whether it was.
   */
  function pullWhenPurging(purgedId: string, found: { _id: string; _rev: string }): () => boolean {
    const purgeable = db as unknown as { purge(id: string, rev: string): Promise<unknown> };
    const purge = purgeable.purge.bind(db);
    let racing: Promise<string> | null = null;
    spyOn(purgeable, 'purge').and.callFake(async (id: string, rev: string) => {
      if (id === purgedId)
        racing ??= pullRevision(db, found, { status: 'fixed' }, (pulled) => ledger.pulled([{ _id: found._id, _rev: pulled }]));
      await racing;
      return purge(id, rev);
    });
    return () => racing !== null;
  }

  it('pushes the user’s unsynced edits first, then takes the inspection and its defects off the device and says so', async () => {
    const { doc, defect: found } = await assignedToAna();
    TestBed.inject(UnassignmentService).watch();
    // Edited offline: pending until the push gets through.
    await db.put({ ...found, description: 'Water under the skylight' });
    await waitFor(() => ledger.pendingIds().has(found._id), 'the edit pending');

    await reassignedToBob(doc);
    await waitFor(async () => (await db.get<{ assignedTo: string }>(doc._id)).assignedTo === 'bob', 'the reassignment pulled');
    // Still here while the edit waits.
    expect(await localIds(db)).toContain(doc._id);
    expect(told).not.toHaveBeenCalled();

    await ledger.pushCheckpoint((await db.info()).update_seq);

    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the inspection gone');
    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(await localIds(db)).not.toContain(found._id);
    expect(told).toHaveBeenCalledOnceWith('"Roof check" was reassigned to bob; your edits were sent.', 'OK', jasmine.anything());
  });

  it('lets go of an inspection in conflict with its reassignment once her edits are pushed, also when her longer branch wins here: the hub merges them, and the rules refuse her a resolution', async () => {
    const { doc } = await assignedToAna();
    TestBed.inject(UnassignmentService).watch();
    // Two offline saves: her branch is longer than the reassignment's, so it wins here.
    const first = await db.put({ ...doc, notes: 'North side' });
    await db.put({ ...doc, _rev: first.rev, notes: 'North side, gutters too' });
    await waitFor(() => ledger.pendingIds().has(doc._id), 'her edits pending');
    await reassignedToBob(doc);
    await waitFor(() => TestBed.inject(ConflictIndexService).conflictIds().has(doc._id), 'the conflict');
    expect((await db.get<{ assignedTo: string }>(doc._id)).assignedTo).toBe('ana');
    expect(await localIds(db)).toContain(doc._id);

    await ledger.pushCheckpoint((await db.info()).update_seq);

    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the inspection gone');
    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(told).toHaveBeenCalledOnceWith('"Roof check" was reassigned to bob; your edits were sent.', 'OK', jasmine.anything());
  });

  it('keeps it while an audit entry of it is not pushed yet (a resolution writes its entries after the record), and lets go once it is', async () => {
    const { doc } = await assignedToAna();
    const looked = spyOn(TestBed.inject(InspectionHoldService), 'holdOf').and.callThrough();
    TestBed.inject(UnassignmentService).watch();
    const entry = {
      _id: `audit:${doc._id}:2026-02-20T08:00:00.000Z:device-test:cd34`,
      type: 'audit',
      docId: doc._id,
      deviceId: 'device-test',
    };
    await db.put(entry);
    await waitFor(() => ledger.pendingEntryRecords().has(doc._id), 'the entry pending');

    await reassignedToBob(doc);
    await waitFor(async () => looked.calls.count() > 0 && (await looked.calls.mostRecent().returnValue) === 'pending', 'held back');
    expect(await localIds(db)).toContain(doc._id);

    await ledger.pushCheckpoint((await db.info()).update_seq);

    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the inspection gone');
    expect(await localIds(db)).not.toContain(entry._id);
  });

  it('keeps it while the user is typing on its defect (no pause yet, so no draft): the typing is kept as a draft, not left to a gone record', async () => {
    const { doc, defect: found } = await assignedToAna();
    const drafts = TestBed.inject(DraftStore);
    // The defect's page is open and ana is typing: her form writes its draft once typing pauses, or when asked.
    let typing = true;
    drafts.holdTyping(async () => {
      if (!typing) return;
      typing = false;
      const draft = { values: { description: 'Water under the skylight' }, inspectionId: doc._id, savedAt: new Date().toISOString() };
      await drafts.put(found._id, { ...draft, baseRev: found._rev });
    });
    const looked = spyOn(TestBed.inject(InspectionHoldService), 'holdOf').and.callThrough();
    TestBed.inject(UnassignmentService).watch();

    await reassignedToBob(doc);

    await waitFor(async () => looked.calls.count() > 0 && (await looked.calls.mostRecent().returnValue) !== undefined, 'looked at');
    expect(await looked.calls.mostRecent().returnValue).toBe('draft');
    expect(await localIds(db)).toContain(found._id);
    expect(told).not.toHaveBeenCalled();
  });

  it('keeps it while a draft of it is kept, and lets go once the user discards the draft', async () => {
    const { doc } = await assignedToAna();
    const drafts = TestBed.inject(DraftStore);
    await drafts.put(doc._id, { values: { notes: 'Maybe' }, baseRev: doc._rev, inspectionId: doc._id, savedAt: new Date().toISOString() });
    const looked = spyOn(TestBed.inject(InspectionHoldService), 'holdOf').and.callThrough();
    TestBed.inject(UnassignmentService).watch();

    await reassignedToBob(doc);
    await waitFor(async () => looked.calls.count() > 0 && (await looked.calls.mostRecent().returnValue) === 'draft', 'held back');

    await drafts.discard(doc._id);

    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the inspection gone');
  });

  it('keeps it with edits the server refused, and says so once', async () => {
    const { doc, defect: found } = await assignedToAna();
    await db.put({ ...found, description: 'Refused text' });
    await waitFor(() => ledger.pendingIds().has(found._id), 'the edit pending');
    await ledger.rejected(found._id, 'status: refused for the test');
    TestBed.inject(UnassignmentService).watch();

    await reassignedToBob(doc);

    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(told.calls.mostRecent().args[0]).toBe(
      '"Roof check" was reassigned to bob; the server refused your edits of it, so it stays on this tablet with them.',
    );
    expect(await localIds(db)).toContain(doc._id);
    expect(await localIds(db)).toContain(found._id);
  });

  it('lets go at once of an inspection with nothing unsynced, without a word about edits, leaving its page if open', async () => {
    const { doc } = await assignedToAna();
    const router = TestBed.inject(Router);
    spyOnProperty(router, 'url').and.returnValue(`/inspections/${encodeURIComponent(doc._id)}`);
    const navigated = spyOn(router, 'navigateByUrl').and.resolveTo(true);
    TestBed.inject(UnassignmentService).watch();

    await reassignedToBob(doc);

    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the inspection gone');
    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(told).toHaveBeenCalledOnceWith('"Roof check" was reassigned to bob.', 'OK', jasmine.anything());
    expect(navigated).toHaveBeenCalledOnceWith('/inspections');
  });

  it('after a reload, lets go of what was reassigned away before it, looked up in the sparse index, not by reading every record', async () => {
    const { doc } = await assignedToAna();
    await reassignedToBob(doc);
    const find = spyOn(db, 'find').and.callThrough();
    TestBed.inject(UnassignmentService).watch();

    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the inspection gone');
    const lookup = find.calls.allArgs().find(([request]) => 'unassignedFrom' in (request as { selector: object }).selector)!;
    const explained = await (db as unknown as { explain(q: object): Promise<{ index: { ddoc: string } }> }).explain(lookup[0] as object);
    expect(explained.index.ddoc).toBe('_design/idx-unassigned');
  });

  it('reads none of the inspections a pull brings again unless one was reassigned away (a first pull brings thousands)', async () => {
    const { doc } = await assignedToAna();
    TestBed.inject(UnassignmentService).watch();
    const reads = spyOn(db, 'get').and.callThrough();
    const theirs = Array.from({ length: 20 }, (_, i) => inspection('sam', { title: `Pulled ${i}`, assignedTo: 'ana' }));
    const written = (await db.bulkDocs(theirs)) as PouchDB.Core.Response[];
    ledger.pulled(written.map(({ id, rev }) => ({ _id: id, _rev: rev })));
    // Heard after the twenty, in the order of the feed.
    await reassignedToBob(doc);

    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the reassigned inspection gone');
    const read = new Set(reads.calls.allArgs().map(([id]) => id));
    expect(theirs.filter(({ _id }) => read.has(_id))).toEqual([]);
    expect(read).toContain(doc._id);
  });

  it('purges a revision of its defect that the pull writes while the inspection itself is being purged', async () => {
    const { doc, defect: found } = await assignedToAna();
    // The defect is purged already; the server's handover revision of it lands now.
    const landed = pullWhenPurging(doc._id, found);
    TestBed.inject(UnassignmentService).watch();

    await reassignedToBob(doc);

    await waitFor(() => told.calls.count() === 1, 'the notice');
    expect(landed()).toBeTrue();
    await waitFor(async () => !(await localIds(db)).includes(found._id), 'the racing revision purged');
    expect(await localIds(db)).not.toContain(doc._id);
  });

  it('stops letting go when the user saves meanwhile: the edit stays to be pushed, what left comes back, and it goes once the edit is sent', async () => {
    const { doc, defect: found } = await assignedToAna();
    await db.replicate.to(server);
    const purgeable = db as unknown as { purge(id: string, rev: string): Promise<unknown> };
    const purge = purgeable.purge.bind(db);
    let saved: Promise<unknown> | null = null;
    spyOn(purgeable, 'purge').and.callFake(async (id: string, rev: string) => {
      // Its defect goes first; ana saves the inspection (its page open) while it does.
      saved ??= db.get(doc._id).then((current) => db.put({ ...current, notes: 'Saved during the purge' }));
      await saved;
      return purge(id, rev);
    });
    TestBed.inject(UnassignmentService).watch();

    await reassignedToBob(doc);

    await waitFor(() => ledger.pendingIds().has(doc._id), 'her save pending');
    await waitFor(async () => (await localIds(db)).includes(found._id), 'the defect back from the server');
    expect((await db.get<{ notes?: string }>(doc._id)).notes).toBe('Saved during the purge');
    expect(told).not.toHaveBeenCalled();

    await ledger.pushCheckpoint((await db.info()).update_seq);
    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the inspection gone once her edit is sent');
    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(told).toHaveBeenCalledOnceWith('"Roof check" was reassigned to bob; your edits were sent.', 'OK', jasmine.anything());
  });

  it('lets go once a revision the pull wrote during the purge has stopped it: nothing announces it again, and nothing of hers holds it', async () => {
    const { doc, defect: found } = await assignedToAna();
    await db.replicate.to(server);
    // The server's revision of the defect lands after its leaves were read: that purge leaves it.
    const landed = pullWhenPurging(found._id, found);
    TestBed.inject(UnassignmentService).watch();

    await reassignedToBob(doc);

    await waitFor(async () => !(await localIds(db)).includes(doc._id), 'the inspection gone');
    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(landed()).toBeTrue();
    expect(told).toHaveBeenCalledOnceWith('"Roof check" was reassigned to bob.', 'OK', jasmine.anything());
  });

  it('keeps a defect written on the tablet after its inspection was let go (a form left open): it syncs, only what the pull brings leaves', async () => {
    const { doc, defect: found } = await assignedToAna();
    TestBed.inject(UnassignmentService).watch();
    await reassignedToBob(doc);
    await waitFor(() => told.calls.count() === 1, 'the notice');

    const late = defect('ana', doc._id, { title: 'Saved from a form left open' });
    await db.put(late);
    // Heard after it, in the feed's order: the server's revision of her earlier defect.
    await pullRevision(db, found, { status: 'fixed' }, (rev) => ledger.pulled([{ _id: found._id, _rev: rev }]));

    await waitFor(async () => !(await localIds(db)).includes(found._id), 'the pulled revision purged');
    expect(await localIds(db)).toContain(late._id);
    expect(ledger.pendingIds()).toEqual(new Set([late._id]));
  });

  it('keeps a photo taken on the tablet of a defect of an inspection it let go (a page left open): the only copy syncs', async () => {
    const { doc, defect: found } = await assignedToAna();
    TestBed.inject(UnassignmentService).watch();
    await reassignedToBob(doc);
    await waitFor(() => told.calls.count() === 1, 'the notice');

    const photoId = await takePhoto(db, found._id);
    // Heard after it, in the feed's order: the server's revision of its defect.
    await pullRevision(db, found, { status: 'fixed' }, (rev) => ledger.pulled([{ _id: found._id, _rev: rev }]));

    await waitFor(async () => !(await localIds(db)).includes(found._id), 'the pulled revision purged');
    expect(await localIds(db)).toContain(photoId);
    expect(ledger.pendingIds()).toEqual(new Set([photoId]));
  });

  it('keeps an edit saved just after the look at a revision of a record it let go', async () => {
    const { doc, defect: found } = await assignedToAna();
    TestBed.inject(UnassignmentService).watch();
    await reassignedToBob(doc);
    await waitFor(() => told.calls.count() === 1, 'the notice');
    // A page left open: ana saves the defect at that moment.
    const saved = atLastLook(ledger, found._id, async () => db.put({ ...(await db.get(found._id)), description: 'Typed on site' }));

    await pullRevision(db, found, { status: 'fixed' }, (rev) => ledger.pulled([{ _id: found._id, _rev: rev }]));
    // Heard after it, in the feed's order: sam's audit entry of the inspection, which leaves.
    const theirs = {
      _id: `audit:${doc._id}:2026-02-20T08:00:00.000Z:device-sam:ab12`,
      type: 'audit',
      docId: doc._id,
      deviceId: 'device-sam',
    };
    await db.bulkDocs([{ ...theirs, _rev: '1-5a3f' }], { new_edits: false });
    await waitFor(async () => !(await localIds(db)).includes(theirs._id), 'sam’s audit entry gone');

    expect(saved()).toBeTrue();
    expect((await db.get<{ description: string }>(found._id)).description).toBe('Typed on site');
    expect(ledger.pendingIds()).toEqual(new Set([found._id]));
  });

  it('purges, silently, a revision of a record it let go that the pull brings back later; given back, the inspection stays with its defects from the server', async () => {
    const { doc, defect: found } = await assignedToAna();
    await db.replicate.to(server);
    TestBed.inject(UnassignmentService).watch();
    await reassignedToBob(doc);
    await waitFor(() => told.calls.count() === 1, 'the notice');
    const gone = await db.get(doc._id).catch(() => null);
    expect(gone).toBeNull();

    // The defect's push raced the purge, or a supervisor changed it: the pull brings it back.
    ledger.pulled([{ _id: found._id, _rev: await pullRevision(db, found, { status: 'fixed' }) }]);
    await waitFor(async () => !(await localIds(db)).includes(found._id), 'the defect purged again');

    // Sam gives it back to ana.
    const taken = { ...doc, _rev: (await server.get(doc._id))._rev };
    const back = await pullRevision(db, taken, { assignedTo: 'ana', unassignedFrom: 'bob', updatedBy: 'sam' });
    ledger.pulled([{ _id: doc._id, _rev: back }]);
    await waitFor(async () => (await localIds(db)).includes(found._id), 'its defect back from the server');
    expect((await db.get<{ assignedTo: string }>(doc._id)).assignedTo).toBe('ana');
    expect(told.calls.count()).toBe(1);
  });
});
