import { auditEntry } from '../../../domain/audit-entry';
import { AUTO_MERGE_DEVICE_ID } from '../../../domain/conflicts/auto-resolve';
import { inspection } from '../../../test/fixtures/documents';
import { Database, PouchDB } from '../core/pouchdb';
import { readAuditEntries } from './audit-source';

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

function stamp(updatedAt: string, deviceId: string) {
  return { updatedBy: 'ana', updatedAt, deviceId };
}
