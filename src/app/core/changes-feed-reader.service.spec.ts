import { TestBed } from '@angular/core/testing';
import { firstValueFrom, take, toArray } from 'rxjs';
import { ANA, fakeSessions, provideTestData } from '../testing/test-support';
import { ChangesFeedReader } from './changes-feed-reader.service';
import { LocalDbService } from './local-db.service';
import { Database } from './pouchdb';

describe('ChangesFeedReader', () => {
  let localDb: LocalDbService;
  let db: Database;
  let reader: ChangesFeedReader;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions()) });
    localDb = TestBed.inject(LocalDbService);
    db = await localDb.open(ANA.db);
    reader = TestBed.inject(ChangesFeedReader);
  });

  afterEach(async () => {
    await localDb.destroy();
  });

  /** Resolves once the live feed has its starting sequence: it asked for it before this later request. */
  const feedStarted = () => db.info();

  it('tells every listener of each change from one live feed, with all its leaves', async () => {
    const changes = spyOn(db, 'changes').and.callThrough();
    const first = firstValueFrom(reader.changes$.pipe(take(2), toArray()));
    const second = firstValueFrom(reader.changedIds$.pipe(take(2), toArray()));
    await feedStarted();
    await db.put({ _id: 'a' });
    await db.bulkDocs([{ _id: 'a', _rev: '1-ffffffffffffffffffffffffffffffff' }], { new_edits: false });

    const [put, conflict] = await first;
    expect(put).toEqual(jasmine.objectContaining({ id: 'a', changes: [jasmine.objectContaining({ rev: jasmine.stringMatching(/^1-/) })] }));
    expect(conflict.changes.length).toBe(2);
    expect(conflict.seq).toBeGreaterThan(put.seq);
    expect(await second).toEqual(['a', 'a']);
    expect(changes.calls.allArgs().filter(([options]) => options?.live).length).toBe(1);
  });

  it('follows the database that is open', async () => {
    const heard = firstValueFrom(reader.changedIds$);
    await localDb.destroy();
    const other = await localDb.open(ANA.db + '-other');
    await other.info();
    await other.put({ _id: 'in-the-other' });
    expect(await heard).toBe('in-the-other');
  });

  it('reads the changes after a sequence up to now', async () => {
    await db.put({ _id: 'before' });
    const since = Number((await db.info()).update_seq);
    await db.put({ _id: 'after' });
    const { changes, lastSeq } = await reader.read(db, since);
    expect(changes.map((change) => change.id)).toEqual(['after']);
    expect(lastSeq).toBe(Number((await db.info()).update_seq));
  });
});
