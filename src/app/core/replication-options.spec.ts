import { uniqueDbPrefix } from '../testing/test-support';
import { Database, PouchDB } from './pouchdb';
import { PULL_OPTIONS, PUSH_OPTIONS } from './replication-options';

interface WithId {
  id(): Promise<string>;
}

/**
 * The checkpoint names PouchDB gives the app's replications. PouchDB hashes the two databases'
 * ids and the options that filter (filter function source, selector JSON, doc_ids,
 * query_params, view); here the ids are fixed, so what is pinned is the options' part.
 */
describe('the replication options', () => {
  let tablet: Database;
  let server: Database;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    tablet = new PouchDB<object>(prefix + 'tablet');
    server = new PouchDB<object>(prefix + 'server');
    // Not in PouchDB's typings: each database's own id, random for a local one.
    spyOn(tablet as unknown as WithId, 'id').and.resolveTo('tablet');
    spyOn(server as unknown as WithId, 'id').and.resolveTo('server');
    await tablet.put({ _id: 'inspection:1' });
    await server.put({ _id: 'inspection:2' });
  });

  afterEach(async () => {
    await tablet.destroy();
    await server.destroy();
  });

  const stored = (db: Database, id: string) =>
    db.get(id).then(
      () => true,
      () => false,
    );

  // Changing this name restarts every tablet's push from sequence 0: each one then asks the
  // server (revs_diff) about every local document once. Only ever change it on purpose.
  it('name the push checkpoint as released', async () => {
    await tablet.replicate.to(server, PUSH_OPTIONS);
    expect(await stored(tablet, '_local/UYRYhmBYbWngtEX.m04QdQ==')).toBeTrue();
    expect(await stored(server, '_local/UYRYhmBYbWngtEX.m04QdQ==')).toBeTrue();
  });

  // Likewise for the pull: every tablet would read the whole server database again. Changed once
  // on purpose, when the pull began to leave full-size photos on the server (domain/photo-doc.ts).
  it('name the pull checkpoint as released', async () => {
    await tablet.replicate.from(server, PULL_OPTIONS);
    expect(await stored(tablet, '_local/InKjyYIB9mEGf50plmpw5g==')).toBeTrue();
  });

  it('hold no function, whose source (and so the checkpoint name) a minifier would change', () => {
    const functions = (value: unknown): number =>
      typeof value === 'function'
        ? 1
        : value && typeof value === 'object'
          ? Object.values(value).reduce((sum: number, inner) => sum + functions(inner), 0)
          : 0;
    expect(functions(PUSH_OPTIONS)).toBe(0);
    expect(functions(PULL_OPTIONS)).toBe(0);
  });

  it('push everything but design documents', async () => {
    await tablet.put({ _id: '_design/local-index', views: {} });
    const deleted = await tablet.put({ _id: 'inspection:3' });
    await tablet.remove('inspection:3', deleted.rev);
    await tablet.replicate.to(server, PUSH_OPTIONS);
    const ids = (await server.allDocs()).rows.map((row) => row.id);
    expect(ids).toEqual(['inspection:1', 'inspection:2']);
    await expectAsync(server.get('inspection:3')).toBeRejectedWith(jasmine.objectContaining({ reason: 'deleted' }));
  });
});
