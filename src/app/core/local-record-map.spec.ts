import { LocalRecordMap } from './local-record-map';
import { Database, PouchDB } from './pouchdb';

describe('LocalRecordMap', () => {
  const ID = '_local/fieldbook-test-map';
  let db: Database;
  let map: LocalRecordMap<number>;
  beforeEach(() => {
    db = new PouchDB<object>(`local-record-map-${crypto.randomUUID()}`, { adapter: 'indexeddb' });
    map = new LocalRecordMap<number>(ID, 'counts');
  });
  afterEach(() => db.destroy());

  it('applies changes made at once one after another, each to what the one before stored', async () => {
    const seen: string[][] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        map.update(db, (counts) => {
          seen.push(Object.keys(counts));
          return { ...counts, [`k${i}`]: i };
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => Array.from({ length: i }, (_, j) => `k${j}`)));
    expect(await map.read(db)).toEqual(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])));
    expect(Object.keys(await db.get(ID))).toEqual(jasmine.arrayWithExactContents(['_id', '_rev', 'counts']));
  });

  it("applies a change that meets another tab's write (409) again to what that tab stored: both land", async () => {
    await map.update(db, () => ({ mine: 1 }));
    let otherTabWrote = false;
    // This tab's view of the database: another tab writes between its read and its write.
    const racing = {
      get: async (id: string) => {
        const doc = await db.get<{ counts: Record<string, number> }>(id);
        if (!otherTabWrote) {
          otherTabWrote = true;
          await db.put({ ...doc, counts: { ...doc.counts, theirs: 7 } });
        }
        return doc;
      },
      put: (doc: object) => db.put(doc),
    } as unknown as Database;

    await map.update(racing, (counts) => ({ ...counts, mine: 2 }));

    expect(otherTabWrote).toBeTrue();
    expect(await map.read(db)).toEqual({ mine: 2, theirs: 7 });
  });

  it('reads an absent document as no entries, and writes nothing for a change that changes nothing', async () => {
    expect(await map.read(db)).toEqual({});
    expect(await map.refresh(db)).toEqual({});
    await expectAsync(db.get(ID)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
  });
});
