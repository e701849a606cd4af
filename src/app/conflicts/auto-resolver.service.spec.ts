import { TestBed } from '@angular/core/testing';
import { AUTO_MERGE_DEVICE_ID } from '../../../domain/conflicts/auto-resolve';
import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { ConflictIndexService } from '../core/conflict-index.service';
import { editOf, fakeServer, rootInspection, storeRevisions } from '../testing/conflict-fixtures';
import { ANA, fakeSessions, provideTestData, requestsFinished, trackRequests, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { AutoMergeSettingsService } from './auto-merge-settings.service';
import { AutoResolverService } from './auto-resolver.service';
import { ConflictStoreService } from './conflict-store.service';

describe('AutoResolverService', () => {
  let db: Database;
  let server: ReturnType<typeof fakeServer>;
  let conflictIndex: ConflictIndexService;

  beforeEach(async () => {
    localStorage.removeItem('fieldbook.autoMerge');
    const prefix = uniqueDbPrefix();
    server = fakeServer(prefix);
    TestBed.configureTestingModule({
      providers: [...provideTestData(fakeSessions(), prefix), { provide: REMOTE_DB_FACTORY, useValue: server.open }],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    trackRequests(db);
    conflictIndex = TestBed.inject(ConflictIndexService);
    await conflictIndex.attach(db);
  });

  afterEach(async () => {
    // Its subscription ends with the test module; detached, the index hands it nothing more.
    conflictIndex.detach();
    await requestsFinished(db);
    await TestBed.inject(LocalDbService).destroy();
    await server.destroy();
    localStorage.removeItem('fieldbook.autoMerge');
  });

  /** A conflict as replication leaves it: the ancestor compacted locally, still on the server. */
  async function replicatedConflict(ours: Record<string, unknown>, theirs: Record<string, unknown>): Promise<LeafDoc> {
    const root = rootInspection();
    const revisions = [root, editOf(root, 'bbb', ours), editOf(root, 'aaa', theirs)];
    await storeRevisions(server.open(ANA.db), revisions);
    await storeRevisions(db, revisions);
    return root;
  }

  it('merges edits of different fields as they arrive, as this user, stamped as the auto-merge', async () => {
    TestBed.inject(AutoResolverService).watch();
    const disjoint = await replicatedConflict({ title: 'Ours' }, { site: 'Plant 9' });
    const clash = await replicatedConflict({ title: 'Ours' }, { title: 'Theirs' });

    await waitFor(
      () => conflictIndex.conflictIds().has(clash._id) && !conflictIndex.conflictIds().has(disjoint._id),
      'the disjoint edits merged',
    );
    const merged = await db.get<Record<string, unknown>>(disjoint._id, { conflicts: true });
    expect(merged['_conflicts']).toBeUndefined();
    expect([merged['title'], merged['site']]).toEqual(['Ours', 'Plant 9']);
    expect([merged['updatedBy'], merged['deviceId'], merged['mergedBy']]).toEqual(['ana', AUTO_MERGE_DEVICE_ID, 'ana']);
    expect(merged['mergedFrom']).toEqual(['2-bbb', '2-aaa']);
    expect(conflictIndex.conflictCount()).toBe(1);
  });

  it('leaves types with auto-merge off in the inbox, and merges them once it is turned on', async () => {
    const settings = TestBed.inject(AutoMergeSettingsService);
    settings.set('inspection', false);
    // A run that merges starts by asking for the conflict database, on hearing the conflicts.
    const runs = spyOn(TestBed.inject(ConflictStoreService), 'conflictDb').and.callThrough();
    TestBed.inject(AutoResolverService).watch();
    // Subscribed after the resolver, so it hears each update once the resolver has taken it.
    const handed = new Set<string>();
    const hearing = conflictIndex.conflictUpdates$.subscribe((docs) => docs.forEach((doc) => handed.add(doc.id)));
    const disjoint = await replicatedConflict({ title: 'Ours' }, { site: 'Plant 9' });
    await waitFor(() => handed.has(disjoint._id), 'the conflict handed to the resolver');
    hearing.unsubscribe();
    expect(runs).not.toHaveBeenCalled();
    expect(conflictIndex.conflictIds().has(disjoint._id)).toBeTrue();

    settings.set('inspection', true);
    await waitFor(() => !conflictIndex.conflictIds().has(disjoint._id), 'the conflict merged');
  });
});
