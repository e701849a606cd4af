import { Database, PouchDB } from '../core/pouchdb';
import { uniqueDbPrefix } from '../testing/test-support';
import { leavesOf, purgeDoc } from './purge-doc';

/** PouchDB's local purge on the app's adapter, as the archive, "Free space" and unassignment use it, in one tab or several. */
describe('purgeDoc', () => {
  let db: Database;

  beforeEach(() => {
    // A small purge log, to see it kept to its limit.
    db = new PouchDB<object>(`${uniqueDbPrefix()}purge`, { adapter: 'indexeddb', auto_compaction: true, purged_infos_limit: 3 } as object);
  });

  afterEach(() => db.destroy());

  /** `work`'s outcome, or a failure naming what never answered (a purge that hangs must fail, not stall the suite). */
  function answered<T>(work: Promise<T>, what: string): Promise<T> {
    return Promise.race([work, new Promise<T>((_, fail) => setTimeout(() => fail(new Error(`${what}: no answer in 5 s`)), 5_000))]);
  }

  const stored = (ids: string[]) => Promise.all(ids.map((id) => db.put({ _id: id, type: 'inspection' })));

  it('purges of different documents made at once all finish (each appends to the same purge log)', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    await stored(ids);
    expect(await answered(Promise.all(ids.map((id) => purgeDoc(db, id))), 'the purges')).toEqual([true, true, true, true]);
    for (const id of ids)
      expect(await leavesOf(db, id))
        .withContext(id)
        .toEqual([]);
  });

  it('the same document purged twice at once: both answer, and it is gone', async () => {
    await stored(['a']);
    const [leaf] = await leavesOf(db, 'a');
    const twice = Promise.all([purgeDoc(db, 'a', [leaf]), purgeDoc(db, 'a', [leaf])]);
    expect(await answered(twice, 'the purges')).toEqual([true, true]);
    expect(await leavesOf(db, 'a')).toEqual([]);
  });

  it('keeps the purge log to its limit: on a tablet it grew by one entry per purge, rewritten whole each time', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    await stored(ids);
    for (const id of ids) await purgeDoc(db, id);
    const log = await db.get<{ purges: { docId: string }[] }>('_local/purges');
    expect(log.purges.map((purge) => purge.docId)).toEqual(['d', 'e', 'f']);
  });
});
