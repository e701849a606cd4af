import { TestBed } from '@angular/core/testing';
import { Defect, Inspection } from '../../../couch/doc-types';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { ANA, fakeSessions, provideTestData } from '../testing/test-support';
import { DocWriterService, newDocId } from './doc-writer.service';
import { DEFAULT_CHECKLIST, InspectionStoreService } from './inspection-store.service';

describe('InspectionStoreService', () => {
  let db: Database;
  let store: InspectionStoreService;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions()) });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    store = TestBed.inject(InspectionStoreService);
  });

  afterEach(async () => {
    await TestBed.inject(LocalDbService).destroy();
  });

  async function seed(): Promise<Inspection[]> {
    const rows: [string, string, string][] = [
      ['Boiler room', 'Depot 4', '2026-03-09'],
      ['Roof', 'Harbour office', '2026-03-02'],
      ['Car park lighting', 'Depot 4', '2026-03-05'],
    ];
    const created: Inspection[] = [];
    for (const [title, site, scheduledFor] of rows) created.push(await store.create({ title, site, scheduledFor }));
    return created;
  }

  it('creates a draft with the default checklist', async () => {
    const created = await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    expect(created._id).toMatch(/^inspection:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.status).toBe('draft');
    expect(created.checklist.map((item) => item.label)).toEqual([...DEFAULT_CHECKLIST]);
    expect(created.checklist.every((item) => item.result === null)).toBeTrue();
  });

  it('lists inspections soonest first', async () => {
    await seed();
    const list = await store.list({ status: 'all', search: '' });
    expect(list.map((doc) => doc.scheduledFor)).toEqual(['2026-03-02', '2026-03-05', '2026-03-09']);
  });

  it('filters by status and searches title and site, ignoring case', async () => {
    const [boiler] = await seed();
    await store.submit(boiler);
    expect((await store.list({ status: 'submitted', search: '' })).map((d) => d.title)).toEqual(['Boiler room']);
    expect((await store.list({ status: 'draft', search: '' })).length).toBe(2);
    expect((await store.list({ status: 'all', search: 'depot' })).map((d) => d.title)).toEqual([
      'Car park lighting',
      'Boiler room',
    ]);
    expect((await store.list({ status: 'all', search: 'ROOF' })).map((d) => d.title)).toEqual(['Roof']);
  });

  it('queries through the type-scheduled index, not a full scan', async () => {
    await seed();
    const find = spyOn(db, 'find').and.callThrough();
    await store.list({ status: 'draft', search: '' });
    const explained = await (db as unknown as { explain(q: object): Promise<{ index: { ddoc: string } }> }).explain(
      find.calls.mostRecent().args[0] as object,
    );
    expect(explained.index.ddoc).toBe('_design/idx-type-scheduled');
  });

  it('shows conflicting revisions on listed inspections', async () => {
    const [, roof] = await seed();
    await db.bulkDocs([{ ...roof, _rev: '1-ffffffffffffffffffffffffffffffff', title: 'Roof (other tablet)' }], {
      new_edits: false,
    });
    const listed = (await store.list({ status: 'all', search: 'roof' }))[0];
    expect(listed._conflicts?.length).toBe(1);
  });

  it('deletes an inspection together with its defects', async () => {
    const [inspection] = await seed();
    const defect = await TestBed.inject(DocWriterService).save<Defect>({
      _id: newDocId('defect'),
      type: 'defect' as const,
      inspectionId: inspection._id,
      title: 'Leak',
      severity: 3 as const,
      status: 'open' as const,
    });
    await store.remove(inspection);
    await expectAsync(db.get(defect._id)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
    expect((await store.list({ status: 'all', search: '' })).length).toBe(2);
  });

  it('emits changes for local writes', async () => {
    let seen = 0;
    const subscription = store.changes$.subscribe(() => seen++);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    subscription.unsubscribe();
    expect(seen).toBeGreaterThan(0);
  });
});
