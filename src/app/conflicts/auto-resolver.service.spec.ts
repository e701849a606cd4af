import { TestBed } from '@angular/core/testing';
import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { ConflictIndexService } from '../core/conflict-index.service';
import { editOf, fakeServer, rootInspection, storeRevisions } from '../testing/conflict-fixtures';
import { ANA, fakeSessions, provideTestData, settle, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { AutoMergeSettingsService } from './auto-merge-settings.service';
import { AutoResolverService } from './auto-resolver.service';

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
    conflictIndex = TestBed.inject(ConflictIndexService);
    await conflictIndex.attach(db);
  });

  afterEach(async () => {
    await settle();
    conflictIndex.detach();
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

  it('merges edits of different fields as they arrive, as this user on this device', async () => {
    TestBed.inject(AutoResolverService).watch();
    const disjoint = await replicatedConflict({ title: 'Ours' }, { site: 'Plant 9' });
    const clash = await replicatedConflict({ title: 'Ours' }, { title: 'Theirs' });

    await waitFor(() => conflictIndex.conflictIds().has(clash._id) && !conflictIndex.conflictIds().has(disjoint._id), 'the disjoint edits merged');
    const merged = await db.get<Record<string, unknown>>(disjoint._id, { conflicts: true });
    expect(merged['_conflicts']).toBeUndefined();
    expect([merged['title'], merged['site']]).toEqual(['Ours', 'Plant 9']);
    expect([merged['updatedBy'], merged['deviceId'], merged['mergedBy']]).toEqual(['ana', 'device-test', 'ana']);
    expect(merged['mergedFrom']).toEqual(['2-bbb', '2-aaa']);
    expect(conflictIndex.conflictCount()).toBe(1);
  });

  it('leaves types with auto-merge off in the inbox, and merges them once it is turned on', async () => {
    const settings = TestBed.inject(AutoMergeSettingsService);
    settings.set('inspection', false);
    TestBed.inject(AutoResolverService).watch();
    const disjoint = await replicatedConflict({ title: 'Ours' }, { site: 'Plant 9' });
    await waitFor(() => conflictIndex.conflictIds().has(disjoint._id), 'the conflict noticed');
    await settle(300);
    expect(conflictIndex.conflictIds().has(disjoint._id)).toBeTrue();

    settings.set('inspection', true);
    await waitFor(() => !conflictIndex.conflictIds().has(disjoint._id), 'the conflict merged');
  });
});
