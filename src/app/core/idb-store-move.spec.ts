import { MIGRATION_PROGRESS_ID } from '../../../domain/schema-versions';
import { moveFromIdbStore } from './idb-store-move';
import { LOCAL_DOC_IDS } from './local-doc-ids';
import { Database, PouchDB, idbDatabaseNames } from './pouchdb';

describe('moveFromIdbStore', () => {
  let oldName: string;
  let target: Database;
  beforeEach(() => {
    oldName = `idb-move-${crypto.randomUUID()}`;
    target = new PouchDB<object>(`${oldName}~v2`, { adapter: 'indexeddb' });
  });
  afterEach(async () => {
    await target.destroy();
    await new PouchDB<object>(oldName, { adapter: 'idb' }).destroy();
  });

  const idbNames = async () => (await indexedDB.databases()).map(({ name }) => name);

  it('copies every revision, conflict, deletion, attachment and the device state, then deletes the old store', async () => {
    const old = new PouchDB<object>(oldName, { adapter: 'idb', auto_compaction: true });
    const edited = await old.put({ _id: 'inspection:1', title: 'v1' });
    await old.put({ _id: 'inspection:1', _rev: edited.rev, title: 'unsynced edit' });
    // A second leaf, as replication leaves one when two devices edited the same revision.
    await old.bulkDocs(
      [
        {
          _id: 'inspection:1',
          _rev: '2-ffffffffffffffffffffffffffffffff',
          title: 'theirs',
          _revisions: { start: 2, ids: ['ffffffffffffffffffffffffffffffff', edited.rev.slice(2)] },
        },
      ],
      { new_edits: false },
    );
    const gone = await old.put({ _id: 'defect:1', title: 'deleted' });
    await old.remove('defect:1', gone.rev);
    await old.putAttachment('defect:2', 'photo.jpg', new Blob(['jpeg bytes'], { type: 'image/jpeg' }), 'image/jpeg');
    await old.put({ _id: LOCAL_DOC_IDS.drafts, drafts: { 'inspection:1': { notes: 'typed' } } });
    await old.put({ _id: LOCAL_DOC_IDS.initialPull, seq: '42-abc', done: true });
    await old.put({ _id: MIGRATION_PROGRESS_ID, lastId: 'inspection:1' });
    await old.put({ _id: LOCAL_DOC_IDS.pushLedger, pushedSeq: 3, rejections: { 'defect:9': { rev: '1-a', reason: 'no', at: 'now' } } });
    await old.close();
    expect(await idbNames()).toContain(`_pouch_${oldName}`);

    await moveFromIdbStore(oldName, target, await idbDatabaseNames());

    const doc = await target.get<{ title: string }>('inspection:1', { conflicts: true });
    expect(doc._conflicts?.length).toBe(1);
    expect([doc.title, (await target.get<{ title: string }>('inspection:1', { rev: doc._conflicts![0] })).title].sort()).toEqual([
      'theirs',
      'unsynced edit',
    ]);
    expect((await target.allDocs({ keys: ['defect:1'] })).rows[0]).toEqual(
      jasmine.objectContaining({ value: jasmine.objectContaining({ deleted: true }) }),
    );
    expect(await ((await target.getAttachment('defect:2', 'photo.jpg')) as Blob).text()).toBe('jpeg bytes');
    expect((await target.get<{ drafts: object }>(LOCAL_DOC_IDS.drafts)).drafts).toEqual({ 'inspection:1': { notes: 'typed' } });
    expect((await target.get<{ seq: string }>(LOCAL_DOC_IDS.initialPull)).seq).toBe('42-abc');
    expect((await target.get<{ lastId: string }>(MIGRATION_PROGRESS_ID)).lastId).toBe('inspection:1');
    const ledger = await target.get<{ pushedSeq: number; rejections: object }>(LOCAL_DOC_IDS.pushLedger);
    expect(ledger.pushedSeq).withContext('a sequence of the old store means nothing here').toBe(0);
    expect(Object.keys(ledger.rejections)).toEqual(['defect:9']);
    expect(await idbNames()).not.toContain(`_pouch_${oldName}`);
  });

  it('does nothing, and creates nothing, when there is no old store', async () => {
    await moveFromIdbStore(oldName, target, await idbDatabaseNames());
    expect((await target.info()).doc_count).toBe(0);
    expect(await idbNames()).not.toContain(`_pouch_${oldName}`);
  });

  it('finishes a move stopped half way without duplicating anything', async () => {
    const old = new PouchDB<object>(oldName, { adapter: 'idb' });
    await old.bulkDocs(Array.from({ length: 30 }, (_, i) => ({ _id: `inspection:${i}`, n: i })));
    await old.replicate.to(target, { doc_ids: ['inspection:1', 'inspection:2'] });
    await old.close();

    await moveFromIdbStore(oldName, target, await idbDatabaseNames());

    const all = await target.allDocs();
    expect(all.total_rows).toBe(30);
    expect(all.rows.every((row) => row.value.rev.startsWith('1-'))).toBeTrue();
  });
});
