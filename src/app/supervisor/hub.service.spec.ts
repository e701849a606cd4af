import { TestBed } from '@angular/core/testing';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { Defect, Inspection } from '../../../domain/doc-types';
import { userDbName } from '../../../domain/user-db-name';
import { Database, PouchDB } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { Session } from '../core/session.model';
import { ANA, FakeSessions, fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { DocWriterService, newDocId } from '../data/doc-writer.service';
import { arrivingBeforeWriteOf } from '../testing/arriving-before-write';
import { waitWithoutTimers } from '../testing/wait-without-timers';
import { HubDefect, HubService, QueueRead } from './hub.service';
import { NO_TEAM_FILTER, TeamFilter } from './team-query';
import { defect as defectFixture, inspection as inspectionFixture, photoData } from '../../../test/fixtures/documents';

const SAM: Session = { name: 'sam', roles: ['supervisor'], db: userDbName('sam'), hub: 'inspections' };

describe('HubService', () => {
  let hubDb: Database;
  let sessions: FakeSessions;
  let hub: HubService;
  let opened: string[];

  beforeEach(async () => {
    // A local stand-in for the server's hub, with the same Mango indexes.
    hubDb = new PouchDB<object>(`${uniqueDbPrefix()}hub`);
    for (const { fields, name, ddoc } of MANGO_INDEXES) await hubDb.createIndex({ index: { fields, name, ddoc } });
    opened = [];
    sessions = fakeSessions(SAM);
    TestBed.configureTestingModule({
      providers: [provideTestData(sessions), { provide: REMOTE_DB_FACTORY, useValue: (name: string) => (opened.push(name), hubDb) }],
    });
    hub = TestBed.inject(HubService);
  });

  afterEach(() => hubDb.destroy());

  const assignToAna = () => hub.assign({ title: 'Boiler room', site: 'Depot 4', scheduledFor: '2026-03-09', assignedTo: 'ana' });

  it('writes an audited draft assigned to the inspector into the hub', async () => {
    const saved = await assignToAna();

    const stored = await hubDb.get<Inspection>(saved._id);
    expect(stored).toEqual(
      jasmine.objectContaining({
        type: 'inspection',
        status: 'draft',
        assignedTo: 'ana',
        createdBy: 'sam',
        updatedBy: 'sam',
        createdAt: '2026-03-01T08:00:00.000Z',
        deviceId: 'device-test',
      }),
    );
    expect(stored._id).toMatch(/^inspection:/);
    expect(stored.checklist.length).toBeGreaterThan(0);
    expect(opened).toEqual(['inspections']);
  });

  it('reassigns an inspection, naming who it was taken from so their database receives the change too', async () => {
    const draft = await assignToAna();

    const moved = await hub.reassign(draft, 'bob');

    expect(await hubDb.get<Inspection>(draft._id)).toEqual(
      jasmine.objectContaining({ _rev: moved._rev, assignedTo: 'bob', unassignedFrom: 'ana', createdBy: 'sam', updatedBy: 'sam' }),
    );
    // An inspection nobody was assigned to is taken from its creator.
    const own = await hub.reassign(inspectionFixture('ana') as Inspection, 'bob');
    expect(own.unassignedFrom).toBe('ana');
  });

  it('lists submitted inspections and records the decision, keeping who created them', async () => {
    const draft = await assignToAna();
    // Ana's submission, as the fan-in replication would bring it.
    const submitted = { ...draft, status: 'submitted', updatedBy: 'ana' };
    const { rev } = await hubDb.put(submitted);
    await assignToAna();

    const waiting = await hub.submitted();
    expect(waiting.map((doc) => doc._id)).toEqual([draft._id]);

    await hub.review({ ...(submitted as Inspection), _rev: rev }, 'approved', '  Looks good ');
    const reviewed = await hubDb.get<Inspection>(draft._id);
    expect(reviewed).toEqual(
      jasmine.objectContaining({ status: 'approved', reviewComment: 'Looks good', createdBy: 'sam', updatedBy: 'sam' }),
    );
    expect(await hub.submitted()).toEqual([]);
  });

  it('reads a record’s history again after each decision, undo and reassignment made here', async () => {
    const { inspection } = await submittedWithDefect();
    const seen: (number | null)[] = [];
    const reads = hub.history$(inspection._id).subscribe((entries) => seen.push(entries ? entries.length : null));
    const entriesAt = async (read: number) => {
      while (seen.length < read) await new Promise((resolve) => setTimeout(resolve));
      return seen[read - 1];
    };

    expect(await entriesAt(1)).toBe(1);
    const record = await hub.review(inspection, 'rejected', 'Redo item 2');
    expect(await entriesAt(2)).toBe(2);
    await hub.undo(record);
    expect(await entriesAt(3)).toBe(3);
    await hub.reassign(await hub.inspection(inspection._id), 'bob');
    expect(await entriesAt(4)).toBe(4);
    reads.unsubscribe();
  });

  it('says when a read of the history failed, and reads it again at the next change (the hub back in reach)', async () => {
    const { inspection } = await submittedWithDefect();
    spyOn(hubDb, 'allDocs').and.rejectWith(Object.assign(new Error('Failed to fetch'), { status: 0 }));
    const seen: (number | null)[] = [];
    const failures: unknown[] = [];
    const reads = hub.history$(inspection._id).subscribe({
      next: (entries) => seen.push(entries ? entries.length : null),
      error: (error) => failures.push(error),
    });
    await waitFor(() => seen.length + failures.length === 1, 'the failed read');
    expect(seen).toEqual([null]);

    (hubDb.allDocs as jasmine.Spy).and.callThrough();
    await hub.reassign(inspection, 'bob');
    await waitFor(() => seen.length === 2, 'the read after the change');
    expect(seen).toEqual([null, 2]);
    reads.unsubscribe();
  });

  it('reads a record’s history again once for a burst of its entries arriving in the hub, not once per entry', async () => {
    const { inspection } = await submittedWithDefect();
    const historyReads = spyOn(hubDb, 'allDocs').and.callThrough();
    let heard = 0;
    const feed = hub.watch(inspection._id).subscribe(() => heard++);
    await waitFor(() => heard === 1, 'the feed set up');
    const seen: (number | null)[] = [];
    const reads = hub.history$(inspection._id).subscribe((entries) => seen.push(entries ? entries.length : null));
    await waitFor(() => seen.length === 1, 'the first read');
    const burst = Array.from({ length: 50 }, (_, i) => ({
      _id: `audit:${inspection._id}:2026-03-02T10:${String(i).padStart(2, '0')}:00.000Z:r${i}`,
      type: 'audit',
      docId: inspection._id,
      action: 'update',
      at: `2026-03-02T10:${String(i).padStart(2, '0')}:00.000Z`,
    }));
    await hubDb.bulkDocs(burst);

    await waitFor(() => heard === 1 + burst.length, 'the burst heard');
    await waitFor(() => seen.at(-1) === 1 + burst.length, 'the whole burst read');
    // The first read; one as the burst starts, one after it: however many entries it brings.
    expect(historyReads.calls.count()).toBeLessThanOrEqual(3);
    reads.unsubscribe();
    feed.unsubscribe();
  });

  it("follows anyone's change to the inspection, its defects and its history in the hub, and not another inspection's", async () => {
    const { inspection, defect } = await submittedWithDefect();
    const other = await assignToAna();
    let heard = 0;
    const feed = hub.watch(inspection._id).subscribe(() => heard++);
    await waitFor(() => heard === 1, 'the feed set up');
    // Changes made elsewhere (a tablet's through the hub's replication): straight into the hub.
    await hubDb.put({ ...other, title: 'Another inspection' });
    await hubDb.put({ ...defect, title: 'Valve leaking' });
    await waitFor(() => heard === 2, 'the defect change');
    await hubDb.put({ ...inspection, status: 'approved' });
    await waitFor(() => heard === 3, 'the inspection change');
    await hubDb.put({ _id: `audit:${inspection._id}:x`, type: 'audit', docId: inspection._id, action: 'update' });
    await waitFor(() => heard === 4, 'the history entry');
    // The other inspection's change came first: had it been heard, the count would be ahead.
    expect(heard).toBe(4);
    feed.unsubscribe();
  });

  it('tells the watcher when its feed cannot be set up (the hub out of reach), and emits nothing meanwhile', async () => {
    spyOn(hubDb, 'info').and.rejectWith(new Error('offline'));
    const failures: unknown[] = [];
    let heard = 0;
    const feed = hub.watch('inspection:x', (error) => failures.push(error)).subscribe(() => heard++);
    await waitFor(() => failures.length === 1, 'the failure told');
    expect((failures[0] as Error).message).toBe('offline');
    expect(heard).toBe(0);
    feed.unsubscribe();
  });

  /** A defect of `inspectionId` written into the hub. */
  const hubDefectOf = (inspectionId: string) =>
    TestBed.inject(DocWriterService).save<Defect>(
      {
        _id: newDocId('defect'),
        type: 'defect',
        inspectionId,
        title: 'Leak',
        description: '',
        severity: 3,
        location: 'Roof',
        status: 'open',
      },
      hubDb,
    );

  it("shares an approval with partners, and the inspection's defects along with it", async () => {
    const draft = await assignToAna();
    const { rev } = await hubDb.put({ ...draft, status: 'submitted', updatedBy: 'ana' });
    const defect = await hubDefectOf(draft._id);
    const other = await hubDefectOf(newDocId('inspection'));

    await hub.review({ ...draft, status: 'submitted', _rev: rev }, 'approved', '', ['acme', 'globex']);
    expect((await hubDb.get<Inspection>(draft._id)).partners).toEqual(['acme', 'globex']);
    expect((await hubDb.get<Defect>(defect._id)).partners).toEqual(['acme', 'globex']);
    expect((await hubDb.get<Defect>(other._id)).partners).toBeUndefined();
  });

  it('refuses an approval (409, nothing written) when a defect arrived or changed since the supervisor was shown them', async () => {
    const draft = await assignToAna();
    const rev = (await hubDb.put({ ...draft, status: 'submitted' })).rev;
    const shown = [await hubDefectOf(draft._id)];
    // Pushed late, while the confirmation was open.
    const late = await hubDefectOf(draft._id);
    const submitted = { ...draft, status: 'submitted' as const, _rev: rev };

    await expectAsync(hub.review(submitted, 'approved', '', ['acme'], shown)).toBeRejectedWith(jasmine.objectContaining({ status: 409 }));
    expect((await hubDb.get<Inspection>(draft._id))._rev).toBe(rev);
    expect((await hubDb.get<Defect>(late._id)).partners).toBeUndefined();
    // Shown them all, it goes through.
    await hub.review(submitted, 'approved', '', ['acme'], [...shown, late]);
    expect((await hubDb.get<Defect>(late._id)).partners).toEqual(['acme']);
  });

  it("writes the decision onto the inspection's defects (their inspectionStatus), which the rules read", async () => {
    const draft = await assignToAna();
    const writer = TestBed.inject(DocWriterService);
    const defectOf = (inspectionId: string) =>
      writer.save<Defect>(
        {
          _id: newDocId('defect'),
          type: 'defect',
          inspectionId,
          title: 'Leak',
          severity: 3,
          status: 'open',
          inspectionStatus: 'submitted',
        },
        hubDb,
      );
    const [first, second, other] = [await defectOf(draft._id), await defectOf(draft._id), await defectOf(newDocId('inspection'))];

    const { rev } = await hubDb.put({ ...draft, status: 'submitted', updatedBy: 'ana' });
    await hub.review({ ...draft, status: 'submitted', _rev: rev }, 'approved', '');
    expect((await hubDb.get<Defect>(first._id)).inspectionStatus).toBe('approved');
    expect((await hubDb.get<Defect>(second._id)).inspectionStatus).toBe('approved');
    expect((await hubDb.get<Defect>(second._id)).updatedBy).toBe('sam');
    expect((await hubDb.get<Defect>(other._id)).inspectionStatus).toBe('submitted');

    // A supervisor reopens it: inspection and defects open again for the inspector.
    await hub.review(await hubDb.get<Inspection>(draft._id), 'rejected', 'Reopened');
    expect((await hubDb.get<Inspection>(draft._id)).status).toBe('rejected');
    expect((await hubDb.get<Defect>(first._id)).inspectionStatus).toBe('rejected');
  });

  it('shares nothing on a rejection', async () => {
    const draft = await assignToAna();
    const { rev } = await hubDb.put({ ...draft, status: 'submitted', updatedBy: 'ana' });
    await hub.review({ ...draft, status: 'submitted', _rev: rev }, 'rejected', 'Redo the roof', ['acme']);
    const reviewed = await hubDb.get<Inspection>(draft._id);
    expect(reviewed.status).toBe('rejected');
    expect(reviewed.partners).toBeUndefined();
  });

  it('reopening a shared approval shares it with nobody; undoing the reopening shares it again', async () => {
    const { inspection, defect } = await submittedWithDefect();
    await hub.review(inspection, 'approved', '', ['acme']);

    const reopening = await hub.review(await hubDb.get<Inspection>(inspection._id), 'rejected', 'Redo the roof');
    expect((await hubDb.get<Inspection>(inspection._id)).partners).toBeUndefined();
    expect((await hubDb.get<Defect>(defect._id)).partners).toBeUndefined();

    await hub.undo(reopening);
    expect((await hubDb.get<Inspection>(inspection._id)).partners).toEqual(['acme']);
    expect((await hubDb.get<Defect>(defect._id)).partners).toEqual(['acme']);
  });

  it('does not undo a reopening once the inspector edited what it reopened: her edit would be approved and shared unseen', async () => {
    const { inspection, defect } = await submittedWithDefect();
    await hub.review(inspection, 'approved', '', ['acme']);
    const reopening = await hub.review(await hubDb.get<Inspection>(inspection._id), 'rejected', 'Redo the roof');
    // Her edit of the reopened defect, come through the fan-in.
    await hubDb.put({ ...(await hubDb.get<Defect>(defect._id)), description: 'Rewritten after the reopening', updatedBy: 'ana' });

    await expectAsync(hub.undo(reopening)).toBeRejectedWith(jasmine.objectContaining({ status: 409 }));
    expect((await hubDb.get<Inspection>(inspection._id)).status).toBe('rejected');
    expect((await hubDb.get<Defect>(defect._id)).partners).toBeUndefined();
  });

  /** Ana's submission of an assignment with one defect, as the fan-in replication would bring them. */
  async function submittedWithDefect(): Promise<{ inspection: Inspection; defect: Defect }> {
    const assigned = await assignToAna();
    // Submitted means every item answered, which undoing a decision (back to submitted) needs too.
    const draft = { ...assigned, checklist: assigned.checklist.map((item) => ({ ...item, result: 'pass' as const })) };
    const { rev } = await hubDb.put({ ...draft, status: 'submitted', updatedBy: 'ana', reviewComment: 'Earlier note' });
    const defect = {
      ...defectFixture('ana', draft._id, { inspectionStatus: 'submitted' }),
      _attachments: { 'photo-1.jpg': photoData('abc') },
    };
    const stored = await hubDb.put(defect);
    return {
      inspection: { ...draft, status: 'submitted', updatedBy: 'ana', reviewComment: 'Earlier note', _rev: rev },
      defect: { ...(defect as Defect), _rev: stored.rev },
    };
  }

  it('a defect edited while the decision is written keeps the edit and gets the decision', async () => {
    const { inspection, defect } = await submittedWithDefect();
    const arrived = arrivingBeforeWriteOf(hubDb, defect._id, async () =>
      hubDb.put({ ...(await hubDb.get<Defect>(defect._id)), title: 'Leak, worse', updatedBy: 'ana' }),
    );

    await hub.review(inspection, 'approved', '', ['acme']);

    expect(arrived()).toBeTrue();
    expect((await hubDb.get<Inspection>(inspection._id)).status).toBe('approved');
    expect(await hubDb.get<Defect>(defect._id)).toEqual(
      jasmine.objectContaining({ title: 'Leak, worse', inspectionStatus: 'approved', partners: ['acme'] }),
    );
  });

  it('a decision on an inspection changed meanwhile is refused (409) and leaves its defects as they were', async () => {
    const { inspection, defect } = await submittedWithDefect();
    // Another supervisor's decision lands first.
    const arrived = arrivingBeforeWriteOf(hubDb, inspection._id, async () =>
      hubDb.put({ ...(await hubDb.get<Inspection>(inspection._id)), status: 'rejected', updatedBy: 'max' }),
    );

    await expectAsync(hub.review(inspection, 'approved', '', ['acme'])).toBeRejectedWith(jasmine.objectContaining({ status: 409 }));

    expect(arrived()).toBeTrue();
    expect((await hubDb.get<Inspection>(inspection._id)).status).toBe('rejected');
    const untouched = await hubDb.get<Defect>(defect._id);
    expect([untouched._rev, untouched.inspectionStatus, untouched.partners]).toEqual([defect._rev, 'submitted', undefined]);
  });

  it("undoes a decision with new revisions that put back the inspection's status, comment and partners and its defects' copy", async () => {
    const { inspection, defect } = await submittedWithDefect();
    const record = await hub.review(inspection, 'approved', 'Fine', ['acme']);
    expect((await hubDb.get<Inspection>(inspection._id)).status).toBe('approved');

    const restored = await hub.undo(record);

    const stored = await hubDb.get<Inspection>(inspection._id);
    expect(restored._rev).toBe(stored._rev);
    expect(stored._rev).toMatch(/^4-/);
    expect(stored).toEqual(jasmine.objectContaining({ status: 'submitted', reviewComment: 'Earlier note', updatedBy: 'sam' }));
    expect(stored.partners).toBeUndefined();
    const storedDefect = await hubDb.get<Defect>(defect._id, { attachments: true });
    expect(storedDefect._rev).toMatch(/^3-/);
    expect(storedDefect.inspectionStatus).toBe('submitted');
    expect(storedDefect.partners).toBeUndefined();
    // The photo stays through the decision and its undo.
    expect(Object.keys((storedDefect as HubDefect)._attachments!)).toEqual(['photo-1.jpg']);

    // Decided again after the undo, as a supervisor would.
    await hub.review(stored, 'rejected', 'Redo the roof');
    expect((await hubDb.get<Inspection>(inspection._id)).status).toBe('rejected');
  });

  it('undoes a decision on the documents as they are now, keeping a change made since in another field', async () => {
    const { inspection } = await submittedWithDefect();
    const record = await hub.review(inspection, 'rejected', 'Redo');
    const current = await hubDb.get<Inspection>(inspection._id);
    await hubDb.put({ ...current, notes: 'Added since' });

    await hub.undo(record);

    expect(await hubDb.get<Inspection>(inspection._id)).toEqual(
      jasmine.objectContaining({ status: 'submitted', reviewComment: 'Earlier note', notes: 'Added since' }),
    );
  });

  it('undoes nothing once someone has decided again since (409)', async () => {
    const { inspection } = await submittedWithDefect();
    const record = await hub.review(inspection, 'rejected', 'Redo');
    await hub.review(await hubDb.get<Inspection>(inspection._id), 'approved', 'On second thoughts');

    await expectAsync(hub.undo(record)).toBeRejectedWith(jasmine.objectContaining({ status: 409 }));
    expect((await hubDb.get<Inspection>(inspection._id)).status).toBe('approved');
  });

  it('undoes nothing once someone has decided again since the same way: their decision stays (409)', async () => {
    const { inspection } = await submittedWithDefect();
    const record = await hub.review(inspection, 'rejected', 'Redo');
    // Ana resubmits (as the fan-in brings it), and another supervisor rejects again, within the undo window.
    const decided = await hubDb.get<Inspection>(inspection._id);
    const { rev } = await hubDb.put({ ...decided, status: 'submitted', updatedBy: 'ana' });
    await hub.review({ ...decided, status: 'submitted', _rev: rev }, 'rejected', 'Item 3 is missing too');

    await expectAsync(hub.undo(record)).toBeRejectedWith(jasmine.objectContaining({ status: 409 }));
    expect(await hubDb.get<Inspection>(inspection._id)).toEqual(
      jasmine.objectContaining({ status: 'rejected', reviewComment: 'Item 3 is missing too' }),
    );
  });

  it("reads an inspection's defects with their photo stubs, most severe first, and a photo's bytes", async () => {
    const { inspection, defect } = await submittedWithDefect();
    await hubDb.put(defectFixture('ana', inspection._id, { title: 'Crack', severity: 5 }));

    const defects = await hub.defectsOf(inspection._id);

    expect(defects.map((found) => found.title)).toEqual(['Crack', 'Leak']);
    expect(Object.keys(defects[1]._attachments ?? {})).toEqual(['photo-1.jpg']);
    expect(await (await hub.attachment(defect._id, 'photo-1.jpg')).text()).toBe('abc');
  });

  it('lists the whole team, latest scheduled first, filtered by inspector, status and dates', async () => {
    const put = (user: string, overrides: Record<string, unknown>) => hubDb.put(inspectionFixture(user, overrides));
    await put('ana', { title: 'Ana own', scheduledFor: '2026-03-02' });
    await put('sam', { title: 'Ben assigned', assignedTo: 'ben', scheduledFor: '2026-03-05', status: 'submitted' });
    await put('sam', { title: 'Ana assigned', assignedTo: 'ana', scheduledFor: '2026-03-09', status: 'submitted' });
    await put('ben', { title: 'Ben approved', scheduledFor: '2026-02-20', status: 'approved' });
    await hubDb.put(defectFixture('ana', newDocId('inspection')));
    const titles = async (filter: Partial<TeamFilter>, limit = 10) =>
      (await hub.team({ ...NO_TEAM_FILTER, ...filter }, limit)).inspections.map((doc) => doc.title);

    expect(await titles({})).toEqual(['Ana assigned', 'Ben assigned', 'Ana own', 'Ben approved']);
    expect(await titles({ inspector: 'ana' })).toEqual(['Ana assigned', 'Ana own']);
    expect(await titles({ inspector: 'ben', status: 'submitted' })).toEqual(['Ben assigned']);
    expect(await titles({ from: '2026-03-02', to: '2026-03-05' })).toEqual(['Ben assigned', 'Ana own']);
    expect(await hub.team(NO_TEAM_FILTER, 2)).toEqual(jasmine.objectContaining({ more: true }));
    expect(await hub.team(NO_TEAM_FILTER, 4)).toEqual(jasmine.objectContaining({ more: false }));
  });

  describe('with the clock held still', () => {
    beforeEach(() => jasmine.clock().install());
    afterEach(() => jasmine.clock().uninstall());

    it('gives up on a read of the review queue left unanswered (a request the network dropped), and reads again at the next change', async () => {
      const reads = spyOn(hubDb, 'find').and.returnValue(new Promise(() => undefined));
      const seen: QueueRead[] = [];
      const queue = hub.submitted$().subscribe((read) => seen.push(read));
      await waitWithoutTimers(() => reads.calls.count() === 1, 'the read');
      jasmine.clock().tick(29_999);
      expect(seen).toEqual([]);
      jasmine.clock().tick(1);
      await waitWithoutTimers(() => seen.length === 1, 'the read given up');
      // What the page words as the server out of reach.
      expect(seen[0]).toEqual({ error: { status: 0 } });

      reads.and.callThrough();
      const submission = inspectionFixture('ana', { status: 'submitted' });
      await hubDb.put(submission);
      await waitWithoutTimers(() => seen.length === 2, 'the read after the change');
      expect(seen[1]).toEqual({ inspections: [jasmine.objectContaining({ _id: submission._id })] });
      queue.unsubscribe();
    });

    it('reads the review queue again a few seconds after a read that failed, though nothing changed', async () => {
      const reads = spyOn(hubDb, 'find').and.rejectWith({ status: 500, error: 'unknown_error', reason: 'Internal failure' });
      const seen: QueueRead[] = [];
      const queue = hub.submitted$().subscribe((read) => seen.push(read));
      await waitWithoutTimers(() => seen.length === 1, 'the failed read');
      expect(seen[0]).toEqual({ error: jasmine.objectContaining({ status: 500 }) });

      reads.and.callThrough();
      jasmine.clock().tick(4_999);
      expect(reads.calls.count()).toBe(1);
      jasmine.clock().tick(1);
      await waitWithoutTimers(() => seen.length === 2, 'the read tried again');
      expect(seen[1]).toEqual({ inspections: [] });
      queue.unsubscribe();
    });
  });

  it('refuses to work in the hub without a hub in the session', async () => {
    sessions.set(ANA);
    await expectAsync(assignToAna()).toBeRejectedWithError(/supervisors/);
    expect(opened).toEqual([]);
  });
});
