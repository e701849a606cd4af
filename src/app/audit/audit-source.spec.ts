import { TestBed } from '@angular/core/testing';
import { Subject, filter, firstValueFrom } from 'rxjs';
import { auditEntry } from '../../../domain/audit-entry';
import { AUTO_MERGE_DEVICE_ID } from '../../../domain/conflicts/auto-resolve';
import { inspection } from '../../../test/fixtures/documents';
import { ChangesFeedReader } from '../core/changes-feed-reader.service';
import { LocalDbService } from '../core/local-db.service';
import { Database, PouchDB } from '../core/pouchdb';
import { AUDIT_SOURCE, readAuditEntries } from './audit-source';

describe('readAuditEntries', () => {
  let db: Database;

  beforeEach(() => {
    db = new PouchDB(`audit-source-${crypto.randomUUID()}`, { adapter: 'indexeddb' });
  });

  afterEach(() => db.destroy());

  it('lists an automatic merge above the newest edit it merged, which it is dated by, whatever device made that edit', async () => {
    const record = inspection('ana', { _rev: '2-bbb', title: 'Ours' });
    const at = '2026-03-02T10:00:00.000Z';
    // Two tablets' edits of version 1, the later one at `at`; the merge of both is dated by it.
    const base = { ...record, _rev: '1-aaa', title: 'Before' };
    const theirs = { ...base, title: 'Theirs' };
    const ours = { ...base, title: 'Ours' };
    const merged = { ...record, title: 'Theirs', site: 'Plant 9' };
    const earlier = auditEntry({ before: base, after: theirs, stamp: stamp('2026-03-02T09:00:00.000Z', 'device-0a') }, 'r1');
    const newest = auditEntry({ before: base, after: ours, stamp: stamp(at, 'device-ff') }, 'r2');
    const merge = auditEntry({ before: record, after: merged, stamp: stamp(at, AUTO_MERGE_DEVICE_ID), merge: true }, 'r3');
    await db.bulkDocs([earlier, newest, merge]);

    const entries = await readAuditEntries(db, record._id);
    expect(entries.map((entry) => entry._id)).toEqual([merge._id, newest._id, earlier._id]);
  });
});

describe('AUDIT_SOURCE', () => {
  let db: Database;

  beforeEach(() => {
    db = new PouchDB(`audit-source-${crypto.randomUUID()}`, { adapter: 'indexeddb' });
  });

  afterEach(() => db.destroy());

  it('reads a record’s history again once for a burst of its entries arriving (a pull), not once per entry', async () => {
    const record = inspection('ana');
    const changedIds = new Subject<string>();
    TestBed.configureTestingModule({
      providers: [
        { provide: LocalDbService, useValue: { require: () => db } },
        { provide: ChangesFeedReader, useValue: { changedIds$: changedIds } },
      ],
    });
    const reads = spyOn(db, 'allDocs').and.callThrough();
    const history = TestBed.inject(AUDIT_SOURCE).entries(record._id);
    const saves = Array.from({ length: 100 }, (_, i) =>
      auditEntry({ before: null, after: record, stamp: stamp(new Date(Date.UTC(2026, 2, 2, 10, i)).toISOString(), 'device-0a') }, `r${i}`),
    );
    const all = firstValueFrom(history.pipe(filter((entries) => entries?.length === saves.length)));
    await db.bulkDocs(saves);
    for (const save of saves) changedIds.next(save._id);

    expect((await all)?.length).toBe(saves.length);
    // The first read; one as the burst starts, one after it: however many entries it brings.
    expect(reads.calls.count()).toBeLessThanOrEqual(3);
  });
});

function stamp(updatedAt: string, deviceId: string) {
  return { updatedBy: 'ana', updatedAt, deviceId };
}
