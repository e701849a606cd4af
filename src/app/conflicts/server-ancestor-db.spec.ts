import { revisionFetcher } from '../../../domain/conflicts/conflict-db';
import { Database, PouchDB } from '../core/pouchdb';
import { editOf, rootInspection, storeRevisions } from '../testing/conflict-fixtures';
import { unreachableRemote, uniqueDbPrefix } from '../testing/test-support';
import { ServerAncestorDb } from './server-ancestor-db';

describe('ServerAncestorDb', () => {
  const root = rootInspection();
  const edit = editOf(root, 'bbb', { title: 'Edited' });
  let local: Database;
  let server: Database;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    // Like the app's local database: compacting on every write leaves only the leaf's body.
    local = new PouchDB<object>(`${prefix}local`, { auto_compaction: true });
    server = new PouchDB<object>(`${prefix}server`);
    await storeRevisions(local, [root, edit]);
    await storeRevisions(server, [root, edit]);
  });

  afterEach(() => Promise.all([local.destroy(), server.destroy()]));

  const noWrites = () => Promise.reject(new Error('these tests only read'));

  it('fetches a revision compacted away locally from the server', async () => {
    expect(await revisionFetcher(local, root._id)('1-root', { attachments: false })).toBeNull();
    const fetched = await revisionFetcher(new ServerAncestorDb(local, () => server, noWrites), root._id)('1-root', { attachments: false });
    expect(fetched?.['title']).toBe('Boiler room');
  });

  it('reads leaves locally and opens the server only when needed', async () => {
    const openServer = jasmine.createSpy('openServer').and.returnValue(server);
    const db = new ServerAncestorDb(local, openServer, noWrites);
    expect((await db.get(root._id, { open_revs: 'all', revs: true })).length).toBe(1);
    expect(await revisionFetcher(db, root._id)('2-bbb', { attachments: false })).not.toBeNull();
    expect(openServer).not.toHaveBeenCalled();
  });

  it('treats an unreachable server as the revision being gone', async () => {
    const db = new ServerAncestorDb(local, () => unreachableRemote('userdb-ana'), noWrites);
    expect(await revisionFetcher(db, root._id)('1-root', { attachments: false })).toBeNull();
  });
});
