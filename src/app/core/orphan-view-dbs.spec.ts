import { deleteOrphanViewDbs } from './orphan-view-dbs';
import { PouchDB, idbDatabaseNames } from './pouchdb';

describe('deleteOrphanViewDbs', () => {
  const names = async () => (await indexedDB.databases()).map((db) => db.name);

  it('deletes index databases whose main database is gone, and nothing else', async () => {
    const prefix = `orphans-${crypto.randomUUID().slice(0, 8)}-`;
    const kept = new PouchDB<object>(`${prefix}kept`);
    await kept.createIndex({ index: { fields: ['type'], ddoc: 'idx', name: 'idx' } });
    await kept.find({ selector: { type: 'x' } });
    // What a query still under way at logout leaves: an index database without its main one.
    const orphan = new PouchDB<object>(`${prefix}gone-mrview-0123abcd`);
    await orphan.info();
    await orphan.close();
    const other = new PouchDB<object>(`someone-else-gone-mrview-0123abcd`);
    await other.info();
    await other.close();

    await deleteOrphanViewDbs(prefix, await idbDatabaseNames());

    const after = await names();
    expect(after).not.toContain(`_pouch_${prefix}gone-mrview-0123abcd`);
    expect(after).toContain(`_pouch_${prefix}kept`);
    expect(after.filter((name) => name?.startsWith(`_pouch_${prefix}kept-mrview-`)).length).toBe(1);
    expect(after).toContain('_pouch_someone-else-gone-mrview-0123abcd');
    await kept.destroy();
    await new PouchDB<object>('someone-else-gone-mrview-0123abcd').destroy();
  });
});
