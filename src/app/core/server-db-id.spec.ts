import { Database, PouchDB } from './pouchdb';
import { withServerDbId } from './server-db-id';

const ROOT = 'http://127.0.0.1:9/db/';
const SEGMENT = 'userdb-616c696365';

/** A server whose root answers as `answer` says, counting the root's requests. */
function server(answer: () => Response | Promise<Response>) {
  const calls = { root: 0 };
  const fetch = async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== ROOT) throw new TypeError(`unexpected request ${url}`);
    calls.root++;
    return answer();
  };
  return { fetch, calls };
}

const json = (body: object, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const welcome = () => json({ couchdb: 'Welcome', uuid: 'a1b2c3' });
const offline = () => Promise.reject(new TypeError('Failed to fetch'));

function remote(fetch: (input: string | URL | Request) => Promise<Response>): Database {
  return new PouchDB<object>(ROOT + SEGMENT, { skip_setup: true, fetch: fetch as typeof window.fetch });
}

type WithId = Database & { id(): Promise<string> };

describe('withServerDbId', () => {
  let store: Pick<Storage, 'getItem' | 'setItem'>;
  let items: Map<string, string>;
  beforeEach(() => {
    items = new Map<string, string>();
    store = { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
  });

  /** A server database as the app opens it, over `fetch` and the test's store. */
  const kept = (fetch: (input: string | URL | Request) => Promise<Response>, dbSegment = SEGMENT) =>
    withServerDbId(remote(fetch), { rootUrl: ROOT, dbSegment, fetch, store }) as WithId;

  it("names the database as PouchDB does (the server's uuid and the database), so existing checkpoints carry on", async () => {
    const { fetch } = server(welcome);
    const pouchOwn = await (remote(fetch) as WithId).id();
    const ours = await kept(fetch).id();
    expect(ours).toBe('a1b2c3' + SEGMENT);
    expect(ours).toBe(pouchOwn);
  });

  it('keeps the id once learnt: a start or a retry while the root does not answer gets the same one, without asking', async () => {
    let answer: () => Response | Promise<Response> = welcome;
    const { fetch, calls } = server(() => answer());
    const first = await kept(fetch).id();
    answer = offline;
    // After a reload: a new remote, the same store.
    const again = await kept(fetch).id();
    expect(again).toBe(first);
    // Another user's database of the same server: the same uuid, nothing of the first user kept.
    const other = kept(fetch, 'userdb-626f62');
    expect(await other.id()).toBe('a1b2c3userdb-626f62');
    expect(calls.root).toBe(1);
    expect(JSON.stringify([...items])).not.toContain(SEGMENT);
    // What this replaces: PouchDB's own id falls back to the URL, another checkpoint (a pull from 0).
    expect(await (remote(fetch) as WithId).id()).toBe(`${ROOT}${SEGMENT}/`);
  });

  it("fails while it cannot learn the id, with the root's status, and learns it at the next try", async () => {
    let answer: () => Response | Promise<Response> = offline;
    const { fetch } = server(() => answer());
    const db = kept(fetch);
    await expectAsync(db.id()).toBeRejectedWithError(TypeError, 'Failed to fetch');
    answer = () => json({ error: 'unauthorized', reason: 'You are not authorized to access this db.' }, 401);
    await expectAsync(db.id()).toBeRejectedWith(jasmine.objectContaining({ status: 401, name: 'unauthorized' }));
    answer = () => json({ couchdb: 'Welcome' });
    await expectAsync(db.id()).toBeRejectedWith(jasmine.objectContaining({ status: 502 }));
    answer = welcome;
    expect(await db.id()).toBe('a1b2c3' + SEGMENT);
  });
});
