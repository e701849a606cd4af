import { TestBed } from '@angular/core/testing';
import { MANGO_INDEXES, RETIRED_MANGO_INDEXES } from '../../../domain/mango-indexes';
import { LOCAL_DB_PREFIX, LocalDbService, localDbName } from './local-db.service';
import { IDB_PREFIX, PouchDB } from './pouchdb';
import { uniqueDbPrefix } from '../testing/test-support';

describe('LocalDbService', () => {
  const USER_DB = 'userdb-616e61';
  let prefix: string;
  let service: LocalDbService;

  beforeEach(() => {
    prefix = uniqueDbPrefix();
    TestBed.configureTestingModule({ providers: [{ provide: LOCAL_DB_PREFIX, useValue: prefix }] });
    service = TestBed.inject(LocalDbService);
  });
  afterEach(async () => {
    await service.open(USER_DB);
    await service.destroy();
  });

  /** The IndexedDB indexes of the adapter's document store, as IndexedDB itself lists them. */
  async function nativeIndexNames(): Promise<string[]> {
    const idb = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(IDB_PREFIX + localDbName(prefix, USER_DB));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      return [...idb.transaction('docs').objectStore('docs').indexNames];
    } finally {
      idb.close();
    }
  }

  const nativeName = (fields: string[]) => `_find_idx/${fields.join('/')}`;

  it("creates the app's Mango indexes as IndexedDB indexes", async () => {
    await service.open(USER_DB);
    await service.close();
    const names = await nativeIndexNames();
    for (const { fields } of MANGO_INDEXES) expect(names).toContain(nativeName(fields));
  });

  it('on a reopen with its indexes in place, creates none (a reload waits for this before the list shows)', async () => {
    await service.open(USER_DB);
    await service.close();
    const created = spyOn(PouchDB.prototype, 'createIndex').and.callThrough();
    await service.open(USER_DB);
    expect(created).not.toHaveBeenCalled();
  });

  it("deletes a retired index, this device's copy and the server's, so IndexedDB stops keeping it", async () => {
    // A tablet of an older release: it created the index, and its pull brought the server's copy.
    const older = new PouchDB<object>(localDbName(prefix, USER_DB), { adapter: 'indexeddb' });
    for (const { fields, name, ddoc } of RETIRED_MANGO_INDEXES) {
      await older.createIndex({ index: { fields, name, ddoc } });
      const own = await older.get(`_design/${ddoc}`);
      await older.bulkDocs([{ ...own, _rev: '1-0123456789abcdef0123456789abcdef' }], { new_edits: false });
    }
    await older.close();
    expect(await nativeIndexNames()).toContain(nativeName(RETIRED_MANGO_INDEXES[0].fields));

    const db = await service.open(USER_DB);
    for (const { ddoc } of RETIRED_MANGO_INDEXES) {
      await expectAsync(db.get(`_design/${ddoc}`)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
    }
    // The adapter drops an index nothing declares when it opens the database again.
    await service.close();
    await service.open(USER_DB);
    await service.close();
    const names = await nativeIndexNames();
    for (const { fields } of RETIRED_MANGO_INDEXES) expect(names).not.toContain(nativeName(fields));
    for (const { fields } of MANGO_INDEXES) expect(names).toContain(nativeName(fields));
  });
});
