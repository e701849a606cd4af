import { overwriteLocalDoc } from './local-doc';
import { Database, PouchDB } from './pouchdb';

describe('overwriteLocalDoc', () => {
  let db: Database;
  beforeEach(() => (db = new PouchDB<object>(`local-doc-${crypto.randomUUID()}`)));
  afterEach(() => db.destroy());

  it('writes over what another tab wrote in between, and returns the new revision', async () => {
    const mine = { _id: '_local/ledger', count: 1, _rev: await overwriteLocalDoc(db, { _id: '_local/ledger', count: 0 }) };
    await db.put({ ...mine, count: 7 }); // another tab
    const rev = await overwriteLocalDoc(db, mine);
    const stored = await db.get<{ count: number }>('_local/ledger');
    expect(stored.count).toBe(1);
    expect(stored._rev).toBe(rev!);
  });
});
