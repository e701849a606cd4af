import { TestBed } from '@angular/core/testing';
import { auditIdRange } from '../../../domain/audit-entry';
import { MergedDocWrite } from '../../../domain/conflicts/conflict-resolution';
import { AuditEntry, Defect, Inspection } from '../../../domain/doc-types';
import { DEVICE_NAME_STORAGE, DeviceNameService } from '../core/device-name.service';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { ANA, FakeSessions, fakeSessions, provideTestData } from '../testing/test-support';
import { CLOCK, DocWriterService, newDocId } from './doc-writer.service';
import { ValidationError } from './validation-bridge';

describe('DocWriterService', () => {
  let sessions: FakeSessions;
  let writer: DocWriterService;
  let db: Database;
  let now: Date;

  beforeEach(async () => {
    sessions = fakeSessions();
    now = new Date('2026-03-01T08:00:00.000Z');
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(sessions),
        { provide: CLOCK, useValue: () => now },
        // The device's name, kept in memory here (localStorage in the app).
        { provide: DEVICE_NAME_STORAGE, useFactory: () => memoryStorage() },
      ],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    writer = TestBed.inject(DocWriterService);
  });

  afterEach(async () => {
    await TestBed.inject(LocalDbService).destroy();
  });

  function draft(overrides: Partial<Inspection> = {}) {
    return {
      _id: newDocId('inspection'),
      type: 'inspection' as const,
      title: 'Roof',
      site: 'Depot 4',
      status: 'draft' as const,
      scheduledFor: '2026-03-02',
      checklist: [],
      ...overrides,
    };
  }

  it('sets every audit field on create', async () => {
    const saved = await writer.save<Inspection>(draft());
    const stored = await db.get<Inspection>(saved._id);
    expect(stored.createdBy).toBe('ana');
    expect(stored.updatedBy).toBe('ana');
    expect(stored.createdAt).toBe('2026-03-01T08:00:00.000Z');
    expect(stored.updatedAt).toBe('2026-03-01T08:00:00.000Z');
    expect(stored.deviceId).toBe('device-test');
    expect(saved._rev).toBe(stored._rev);
  });

  it("stamps the device's name beside its id once the user named it, and no other device's name", async () => {
    const created = await writer.save<Inspection>(draft());
    expect(created.deviceName).toBeUndefined();
    TestBed.inject(DeviceNameService).rename('Tablet 3');
    const named = await writer.save<Inspection>({ ...created, title: 'Roof and gutters' });
    expect([named.deviceId, named.deviceName]).toEqual(['device-test', 'Tablet 3']);
    expect((await db.get<Inspection>(created._id)).deviceName).toBe('Tablet 3');
    expect(writer.stampChange({ title: 'x' }).deviceName).toBe('Tablet 3');

    // A change from a device without a name does not keep the name of the device before it.
    TestBed.inject(DeviceNameService).rename('');
    const unnamed = await writer.save<Inspection>({ ...named, title: 'Roof' });
    expect('deviceName' in unnamed).toBeFalse();
    expect('deviceName' in writer.stampChange({ deviceName: 'Tablet 3' })).toBeFalse();
  });

  it('keeps the creator and moves updatedBy/updatedAt on update', async () => {
    const created = await writer.save<Inspection>(draft());
    now = new Date('2026-03-05T10:30:00.000Z');
    sessions.set({ name: 'sam', roles: ['supervisor'], db: ANA.db });
    const updated = await writer.save<Inspection>({ ...created, title: 'Roof and gutters' });
    expect(updated.createdBy).toBe('ana');
    expect(updated.createdAt).toBe('2026-03-01T08:00:00.000Z');
    expect(updated.updatedBy).toBe('sam');
    expect(updated.updatedAt).toBe('2026-03-05T10:30:00.000Z');
  });

  it('ignores audit values smuggled in by the caller', async () => {
    const saved = await writer.save<Inspection>({ ...draft(), createdBy: 'mallory', updatedBy: 'mallory' });
    expect(saved.createdBy).toBe('ana');
    expect(saved.updatedBy).toBe('ana');
  });

  it('refuses a document the shared rules refuse and writes nothing', async () => {
    await expectAsync(writer.save<Inspection>(draft({ title: '' }))).toBeRejectedWith(jasmine.any(ValidationError));
    try {
      await writer.save<Inspection>(draft({ title: '', scheduledFor: '1 March' }));
    } catch (error) {
      expect((error as ValidationError).errors).toEqual({
        title: 'is required',
        scheduledFor: 'must be a valid date',
      });
    }
    const docs = await db.allDocs({ startkey: 'inspection:', endkey: 'inspection:\uffff' });
    expect(docs.rows.length).toBe(0);
  });

  it('refuses an inspector approving', async () => {
    const created = await writer.save<Inspection>(draft());
    await expectAsync(writer.save<Inspection>({ ...created, status: 'approved' })).toBeRejectedWith(
      jasmine.objectContaining({ errors: { status: 'only a supervisor may approve or reject' } }),
    );
  });

  it('deletes with a tombstone, but not an approved inspection of an inspector', async () => {
    const doomed = await writer.save<Inspection>(draft());
    await writer.remove(doomed);
    await expectAsync(db.get(doomed._id)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));

    const approved = await db.put({ ...(await writer.save<Inspection>(draft())), status: 'approved' });
    await expectAsync(writer.remove({ _id: approved.id })).toBeRejectedWith(jasmine.any(ValidationError));
  });

  it('records who deleted a document, when and on which device, in its tombstone', async () => {
    const doomed = await writer.save<Inspection>(draft());
    now = new Date('2026-03-02T09:00:00.000Z');
    await writer.remove(doomed);
    const [leaf] = await db.get(doomed._id, { open_revs: 'all' });
    expect('ok' in leaf && leaf.ok).toEqual(
      jasmine.objectContaining({
        _deleted: true,
        updatedBy: 'ana',
        updatedAt: '2026-03-02T09:00:00.000Z',
        deviceId: 'device-test',
      }),
    );
  });

  it('adds and removes photo attachments as audited revisions', async () => {
    const created = await writer.save<Inspection>(draft());
    now = new Date('2026-03-01T09:00:00.000Z');
    const jpeg = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
    const rev = await writer.attach(created, { 'photo-1.jpg': { content_type: 'image/jpeg', data: jpeg } });
    const withPhoto = await db.get<Inspection & { _attachments: object }>(created._id);
    expect(Object.keys(withPhoto._attachments)).toEqual(['photo-1.jpg']);
    expect(withPhoto.updatedAt).toBe('2026-03-01T09:00:00.000Z');
    expect(withPhoto._rev).toBe(rev);

    await writer.detach(withPhoto, ['photo-1.jpg']);
    expect((await db.get<{ _attachments?: object }>(created._id))._attachments).toBeUndefined();
  });

  it('adds a photo only to the revision the caller saw (409 once another came)', async () => {
    const created = await writer.save<Inspection>(draft());
    await writer.save<Inspection>({ ...created, title: 'Changed elsewhere' });
    const jpeg = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
    await expectAsync(writer.attach(created, { 'photo-1.jpg': { content_type: 'image/jpeg', data: jpeg } })).toBeRejectedWith(
      jasmine.objectContaining({ status: 409 }),
    );
    expect((await db.get<{ _attachments?: object }>(created._id))._attachments).toBeUndefined();
  });

  it('refuses attachments that are not images', async () => {
    const created = await writer.save<Inspection>(draft());
    const text = new Blob(['hello'], { type: 'text/plain' });
    await expectAsync(writer.attach(created, { 'notes.txt': { content_type: 'text/plain', data: text } })).toBeRejectedWith(
      jasmine.objectContaining({ errors: { _attachments: 'notes.txt must be a JPEG, PNG or WebP image' } }),
    );
  });

  describe('audit entries', () => {
    // Entries sort by time: each write a minute after the last.
    const later = () => (now = new Date(now.getTime() + 60_000));
    const entriesOf = async (docId: string) => {
      const { rows } = await db.allDocs<AuditEntry>({ ...auditIdRange(docId), include_docs: true });
      return rows.map((row) => row.doc!);
    };

    it('writes one entry per save, right after the record: who, device, when, what changed', async () => {
      TestBed.inject(DeviceNameService).rename('Tablet 3');
      const bulk = spyOn(db, 'bulkDocs').and.callThrough();
      const created = await writer.save<Inspection>(draft());
      now = new Date('2026-03-01T09:00:00.000Z');
      const updated = await writer.save<Inspection>({ ...created, title: 'Roof and gutters' });
      expect(bulk.calls.count()).toBe(4);
      const ids = (call: number) => (bulk.calls.argsFor(call)[0] as { _id: string }[]).map((doc) => doc._id);
      expect([ids(2), ids(3)]).toEqual([
        [created._id],
        [jasmine.stringMatching(`^audit:${created._id}:2026-03-01T09:00:00.000Z:device-test:`)],
      ]);
      const [create, update] = await entriesOf(created._id);
      expect(create).toEqual(jasmine.objectContaining({ action: 'create', revPos: 1, user: 'ana' }));
      expect(update).toEqual(
        jasmine.objectContaining({
          type: 'audit',
          docId: created._id,
          docType: 'inspection',
          action: 'update',
          baseRev: created._rev,
          revPos: 2,
          user: 'ana',
          at: '2026-03-01T09:00:00.000Z',
          deviceId: 'device-test',
          deviceName: 'Tablet 3',
          changes: [{ path: 'title', before: 'Roof', after: 'Roof and gutters' }],
        }),
      );
      expect(updated._rev).toMatch(/^2-/);
    });

    it('writes nothing when the rules refuse the save, or when the record changed since (409)', async () => {
      const created = await writer.save<Inspection>(draft());
      later();
      await expectAsync(writer.save<Inspection>({ ...created, title: '' })).toBeRejectedWith(jasmine.any(ValidationError));
      await writer.save<Inspection>({ ...created, title: 'Changed elsewhere' });
      later();
      await expectAsync(writer.save<Inspection>({ ...created, title: 'Stale' })).toBeRejectedWith(
        jasmine.objectContaining({ status: 409 }),
      );
      expect((await entriesOf(created._id)).map((entry) => entry.changes[0]?.after)).toEqual(['Roof', 'Changed elsewhere']);
    });

    it('answers a save whose entry could not be written (storage full) with the saved record, not a failure a retry would meet as a 409', async () => {
      const created = await writer.save<Inspection>(draft());
      later();
      const bulkDocs = db.bulkDocs.bind(db);
      spyOn(db, 'bulkDocs').and.callFake(((docs: { _id: string }[], options?: object) =>
        docs.every((doc) => doc._id.startsWith('audit:'))
          ? Promise.reject(new DOMException('full', 'QuotaExceededError'))
          : bulkDocs(docs as never, options as never)) as typeof db.bulkDocs);
      const saved = await writer.save<Inspection>({ ...created, title: 'Roof and gutters' });
      expect((await db.get<Inspection>(created._id)).title).toBe('Roof and gutters');
      expect(saved._rev).toMatch(/^2-/);
    });

    it('writes no entry for a save that lost a race: two tabs saving one revision, or a copy meeting an edit that arrived', async () => {
      const created = await writer.save<Inspection>(draft());
      later();
      const [tabA, tabB] = await Promise.allSettled([
        writer.save<Inspection>({ ...created, title: 'Tab A' }),
        writer.save<Inspection>({ ...created, title: 'Tab B' }),
      ]);
      expect([tabA.status, tabB.status].sort()).toEqual(['fulfilled', 'rejected']);
      const stored = await db.get<Inspection>(created._id);
      expect((await entriesOf(created._id)).map((entry) => entry.changes[0]?.after)).toEqual(['Roof', stored.title]);

      // A decision copied onto a defect changed since it was read: the copy is made again on the
      // stored defect, and its history says so once.
      later();
      const defect = await writer.save<Defect>({
        _id: newDocId('defect'),
        type: 'defect',
        inspectionId: created._id,
        title: 'Crack',
        severity: 2,
        status: 'open',
      } as Defect);
      later();
      const wide = await writer.save<Defect>({ ...defect, title: 'Crack, wide' });
      later();
      await writer.saveWithCopies<Inspection, Defect>({ ...stored, notes: 'Checked' }, [defect], (each) => ({ ...each, status: 'fixed' }));
      const statusChanges = (await entriesOf(defect._id)).filter((entry) =>
        entry.changes.some((change) => change.path === 'status' && change.after === 'fixed'),
      );
      expect(statusChanges.map((entry) => entry.baseRev)).toEqual([wide._rev]);
      expect(await db.get<Defect>(defect._id)).toEqual(jasmine.objectContaining({ title: 'Crack, wide', status: 'fixed' }));
    });

    it('records photos by name, and a deletion', async () => {
      const created = await writer.save<Inspection>(draft());
      const jpeg = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
      later();
      const rev = await writer.attach(created, {
        'photo-1.jpg': { content_type: 'image/jpeg', data: jpeg },
        'thumb-1.jpg': { content_type: 'image/jpeg', data: jpeg },
      });
      later();
      await writer.detach({ _id: created._id, _rev: rev }, ['photo-1.jpg', 'thumb-1.jpg']);
      later();
      await writer.remove({ _id: created._id });
      const [, added, removed, deleted] = await entriesOf(created._id);
      expect([added.changes, removed.changes]).toEqual([
        [{ path: 'photos', after: 'photo-1.jpg' }],
        [{ path: 'photos', before: 'photo-1.jpg' }],
      ]);
      expect([deleted.action, deleted.revPos]).toEqual(['delete', 4]);
    });

    it('writes a merge entry with a conflict resolution, none for the losing leaf it ends', async () => {
      const created = await writer.save<Inspection>(draft());
      const parent = created._rev!.split('-')[1];
      const leaves = ['aaaa', 'bbbb'].map((hash) => ({ ...created, _rev: `2-${hash}`, _revisions: { start: 2, ids: [hash, parent] } }));
      await db.bulkDocs(leaves, { new_edits: false });
      const winner = await db.get<Inspection>(created._id);
      const loser = winner._rev === '2-aaaa' ? '2-bbbb' : '2-aaaa';
      later();
      const merged = writer.stampChange({ ...winner, site: 'Depot 5', mergedFrom: [winner._rev, loser], mergedBy: 'ana', mergedAt: '' });
      const rows = await writer.writeResolution([
        merged as unknown as MergedDocWrite,
        { _id: created._id, _rev: loser, _deleted: true, mergedInto: winner._rev! },
      ]);
      expect(rows.map((row) => row.error)).toEqual([undefined, undefined]);
      const [, entry, ...others] = await entriesOf(created._id);
      expect(others).toEqual([]);
      expect(entry).toEqual(
        jasmine.objectContaining({
          merge: true,
          action: 'update',
          baseRev: winner._rev,
          changes: [{ path: 'site', before: 'Depot 4', after: 'Depot 5' }],
        }),
      );
    });
  });
});

function memoryStorage(): Storage {
  const kept = new Map<string, string>();
  return {
    getItem: (key: string) => kept.get(key) ?? null,
    setItem: (key: string, value: string) => void kept.set(key, value),
    removeItem: (key: string) => void kept.delete(key),
  } as Storage;
}
