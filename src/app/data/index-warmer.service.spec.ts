import { TestBed } from '@angular/core/testing';
import { debounceTime, firstValueFrom } from 'rxjs';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { ChangesFeedReader } from '../core/changes-feed-reader.service';
import { LocalDbService } from '../core/local-db.service';
import { Database, PouchDB } from '../core/pouchdb';
import { seedInspections } from '../testing/seed-inspections';
import { fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { INDEX_QUIET_MS, IndexWarmerService } from './index-warmer.service';

/** The update seq each pouchdb-find index has reached (its view database's checkpoint). */
async function indexSeqs(db: Database): Promise<number[]> {
  const dependents = await db.get<{ dependentDbs: Record<string, boolean> }>('_local/_pouch_dependentDbs');
  return Promise.all(
    Object.keys(dependents.dependentDbs).map(async (name) => {
      // Not closed: PouchDB shares the IndexedDB connection with the index's own handle.
      const view = new PouchDB<object>(name);
      return (await view.get<{ seq: number }>('_local/lastSeq').catch(() => ({ seq: 0 }))).seq;
    }),
  );
}

const QUIET_MS = 50;

describe('IndexWarmerService', () => {
  let db: Database;
  let warmer: IndexWarmerService;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [...provideTestData(fakeSessions()), { provide: INDEX_QUIET_MS, useValue: QUIET_MS }] });
    db = await TestBed.inject(LocalDbService).open('userdb-warm');
    warmer = TestBed.inject(IndexWarmerService);
  });

  afterEach(async () => {
    warmer.stop();
    await TestBed.inject(LocalDbService).destroy();
  });

  it('brings every local index up to date once the database goes quiet', async () => {
    warmer.start(db);
    await seedInspections(db, 40);
    const target = Number((await db.info()).update_seq);
    await waitFor(async () => {
      const seqs = await indexSeqs(db);
      return seqs.length === MANGO_INDEXES.length && seqs.every((seq) => seq === target);
    }, 'every index at the latest change');
  });

  it('leaves the indexes alone once stopped', async () => {
    const find = spyOn(db, 'find').and.callThrough();
    warmer.start(db);
    warmer.stop();
    // Listening after the warmer and waiting twice its quiet time: had it kept listening, it would
    // have gone quiet and queried first (it queries on its timer, synchronously).
    const quiet = firstValueFrom(TestBed.inject(ChangesFeedReader).changedIds$.pipe(debounceTime(2 * QUIET_MS)));
    await seedInspections(db, 10);
    await quiet;
    expect(find).not.toHaveBeenCalled();
    const target = Number((await db.info()).update_seq);
    expect((await indexSeqs(db)).filter((seq) => seq === target)).toEqual([]);
  });
});
