import { TestBed } from '@angular/core/testing';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { ANA, fakeSessions, provideTestData, requestsFinished, trackRequests } from '../testing/test-support';
import { DraftEntry, DraftStore } from './draft-store.service';

describe('DraftStore', () => {
  let db: Database;
  let store: DraftStore;

  const draft = (title: string, inspectionId = 'inspection:1'): DraftEntry => ({
    values: { title },
    baseRev: '1-a',
    base: { title: 'Roof' },
    inspectionId,
    savedAt: '2026-03-01T08:00:00.000Z',
  });

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions()) });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    trackRequests(db);
    store = TestBed.inject(DraftStore);
  });

  afterEach(async () => {
    await requestsFinished(db);
    await TestBed.inject(LocalDbService).destroy();
  });

  it('keeps a draft in a _local document, never replicated, until discarded', async () => {
    await store.put('inspection:1', draft('Roof and gutters'));
    expect(await store.get('inspection:1')).toEqual(draft('Roof and gutters'));
    const stored = await db.get<{ drafts: Record<string, DraftEntry> }>('_local/fieldbook-drafts');
    expect(stored.drafts['inspection:1'].values).toEqual({ title: 'Roof and gutters' });
    expect((await db.allDocs()).rows.every((row) => row.id.startsWith('_design/'))).toBeTrue();

    await store.discard('inspection:1');
    expect(await store.get('inspection:1')).toBeNull();
    expect(store.drafts()).toEqual({});
  });

  it('marks the inspections holding a draft, also of one of their defects', async () => {
    await store.put('inspection:1', draft('Roof'));
    await store.put('new-defect:inspection:2', draft('Crack', 'inspection:2'));
    expect([...store.inspectionIds()].sort()).toEqual(['inspection:1', 'inspection:2']);
    const discarded = store.discard('inspection:1');
    // Gone from the marks at once, not after the write.
    expect([...store.inspectionIds()]).toEqual(['inspection:2']);
    await discarded;
  });

  it("keeps another tab's drafts when both write (each write starts from what is stored)", async () => {
    const otherTab = TestBed.runInInjectionContext(() => new DraftStore());
    await store.put('inspection:1', draft('Mine'));
    await Promise.all([otherTab.put('inspection:2', draft('Theirs', 'inspection:2')), store.put('inspection:1', draft('Mine again'))]);
    const drafts = await store.refresh();
    expect(drafts['inspection:1'].values).toEqual({ title: 'Mine again' });
    expect(drafts['inspection:2'].values).toEqual({ title: 'Theirs' });
  });

  it('reads the drafts of a database as it opens, and forgets them when it closes', async () => {
    await store.put('inspection:1', draft('Roof'));
    const local = TestBed.inject(LocalDbService);
    await local.close();
    expect(store.drafts()).toEqual({});
    db = await local.open(ANA.db);
    trackRequests(db);
    await store.refresh();
    expect(Object.keys(store.drafts())).toEqual(['inspection:1']);
  });
});
