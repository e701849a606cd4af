import { TestBed } from '@angular/core/testing';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Defect, Inspection, PhotoDoc } from '../../../domain/doc-types';
import { photoDocId, photoIdRangeOf } from '../../../domain/photo-doc';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { arrivingBeforeWriteOf } from '../testing/arriving-before-write';
import { seedInspections } from '../testing/seed-inspections';
import { ANA, FakeSessions, fakeSessions, provideTestData } from '../testing/test-support';
import { DefectStoreService } from './defect-store.service';
import { DocWriterService, newDocId } from './doc-writer.service';
import { DEFAULT_CHECKLIST, InspectionPage, InspectionStoreService } from './inspection-store.service';
import { InspectionQuery } from './inspection-list-query';
import { ValidationError } from './validation-bridge';

describe('InspectionStoreService', () => {
  let db: Database;
  let store: InspectionStoreService;
  let sessions: FakeSessions;

  beforeEach(async () => {
    sessions = fakeSessions();
    TestBed.configureTestingModule({ providers: provideTestData(sessions) });
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

  // The page as it ends up: with its total.
  const listed = (query: InspectionQuery) => lastValueFrom(store.list(query));
  const all = (search = '', limit = 50) => listed({ status: 'all', search, limit });
  const titles = (page: InspectionPage) => page.inspections.map((doc) => doc.title);

  it('reads an inspection stored in an older shape in the current one', async () => {
    // As the release before wrote it, and the server has not migrated yet: no schema, no priority.
    await seedInspections(db, 1);
    const [listed] = (await all()).inspections;
    expect([listed.schema, listed.priority]).toEqual([2, 'normal']);
    const read = await store.get(listed._id);
    expect([read.schema, read.priority, read._rev]).toEqual([2, 'normal', listed._rev]);
    expect((await db.get<Inspection>(listed._id)).schema).toBeUndefined();
  });

  it('lists inspections soonest first', async () => {
    await seed();
    const page = await all();
    expect(page.inspections.map((doc) => doc.scheduledFor)).toEqual(['2026-03-02', '2026-03-05', '2026-03-09']);
    expect(page.total).toBe(3);
  });

  it('filters by status and searches title and site, ignoring case', async () => {
    const [boiler] = await seed();
    await store.submit(boiler, { checklist: boiler.checklist.map((item) => ({ ...item, result: 'pass' as const })) });
    expect(titles(await listed({ status: 'submitted', search: '', limit: 50 }))).toEqual(['Boiler room']);
    expect(titles(await listed({ status: 'draft', search: '', limit: 50 }))).toEqual(['Roof', 'Car park lighting']);
    expect(titles(await all('depot'))).toEqual(['Car park lighting', 'Boiler room']);
    expect(titles(await all('ROOF'))).toEqual(['Roof']);
    expect(titles(await listed({ status: 'draft', search: 'DEPOT', limit: 50 }))).toEqual(['Car park lighting']);
    expect(titles(await all('.*'))).toEqual([]);
  });

  it('submits only with every item answered, and marks its defects submitted with it', async () => {
    const [boiler] = await seed();
    const defects = TestBed.inject(DefectStoreService);
    const leak = await defects.create(boiler._id, { title: 'Leak', severity: 3, status: 'open' });
    await expectAsync(store.submit(boiler)).toBeRejectedWith(jasmine.any(ValidationError));
    expect((await defects.get(leak._id)).inspectionStatus).toBeUndefined();

    const checklist = boiler.checklist.map((item, i) => ({ ...item, result: i ? ('na' as const) : ('fail' as const) }));
    const submitted = await store.submit(boiler, { checklist });
    expect(submitted.status).toBe('submitted');
    expect((await store.get(boiler._id)).checklist).toEqual(checklist);
    expect(await defects.get(leak._id)).toEqual(
      jasmine.objectContaining({ inspectionStatus: 'submitted', title: 'Leak', updatedBy: 'ana' }),
    );
  });

  it('marks a defect submitted also when it changes while the submission is written, keeping that change', async () => {
    const [boiler] = await seed();
    const defects = TestBed.inject(DefectStoreService);
    const leak = await defects.create(boiler._id, { title: 'Leak', severity: 3, status: 'open' });
    // The same defect edited on another tablet, arriving by replication just before its copy is written.
    const arrived = arrivingBeforeWriteOf(db, leak._id, async () =>
      db.put({ ...(await db.get<Defect>(leak._id)), title: 'Leak under the sink' }),
    );

    const checklist = boiler.checklist.map((item) => ({ ...item, result: 'pass' as const }));
    expect((await store.submit(boiler, { checklist })).status).toBe('submitted');

    expect(arrived()).toBeTrue();
    expect(await defects.get(leak._id)).toEqual(jasmine.objectContaining({ inspectionStatus: 'submitted', title: 'Leak under the sink' }));
  });

  it('shows one page of the soonest inspections and counts them all', async () => {
    await seedInspections(db, 12);
    const first = await all('', 5);
    expect(titles(first)).toEqual(['Inspection 1', 'Inspection 2', 'Inspection 3', 'Inspection 4', 'Inspection 5']);
    expect(first.total).toBe(12);
    const more = await all('', 10);
    expect(titles(more).slice(5)).toEqual(['Inspection 6', 'Inspection 7', 'Inspection 8', 'Inspection 9', 'Inspection 10']);
    expect((await all('', 50)).inspections.length).toBe(12);
  });

  it('shows the rows of the whole list before their count, which comes next', async () => {
    await seedInspections(db, 12);
    const pages = await firstValueFrom(store.list({ status: 'all', search: '', limit: 5 }).pipe(toArray()));
    expect(pages.map((page) => [titles(page).length, page.total])).toEqual([
      [5, null],
      [5, 12],
    ]);
    // Fewer than a page: the rows tell the total.
    const whole = await firstValueFrom(store.list({ status: 'all', search: '', limit: 50 }).pipe(toArray()));
    expect(whole.map((page) => [titles(page).length, page.total])).toEqual([[12, 12]]);
  });

  it('lists and counts the unfiltered list without reading the inspections it does not show', async () => {
    await seedInspections(db, 12);
    const find = spyOn(db, 'find').and.callThrough();
    const allDocs = spyOn(db, 'allDocs').and.callThrough();
    const page = await all('', 5);
    expect(titles(page)).toEqual(['Inspection 1', 'Inspection 2', 'Inspection 3', 'Inspection 4', 'Inspection 5']);
    expect(page.total).toBe(12);
    // The ids and the count come from IndexedDB's index keys; only the five shown are read.
    expect(find).not.toHaveBeenCalled();
    expect(allDocs.calls.allArgs().map(([options]) => (options as { keys?: string[] }).keys?.length)).toEqual([5]);
  });

  it('lists through pouchdb-find while the index is not built yet (its design document came without createIndex)', async () => {
    await seedInspections(db, 12);
    // As the move from the old idb store brings it: the design document, and no query that builds its index.
    const ddoc = await db.get('_design/idx-type-scheduled');
    await db.remove(ddoc);
    await (db as unknown as { _freshen(): Promise<void> })._freshen();
    const { _rev, ...body } = ddoc;
    await db.put(body);
    const find = spyOn(db, 'find').and.callThrough();
    expect(titles(await all('', 5))).toEqual(['Inspection 1', 'Inspection 2', 'Inspection 3', 'Inspection 4', 'Inspection 5']);
    expect(find).toHaveBeenCalledTimes(1);
    // Built by that query: the next list reads the index itself.
    expect((await all('', 5)).total).toBe(12);
    expect(find).toHaveBeenCalledTimes(1);
  });

  it('pages a status filter and a search, counting every match', async () => {
    await seedInspections(db, 20, (n) => ({ status: n % 2 ? 'submitted' : 'draft', site: n % 3 ? 'Depot 4' : 'Harbour' }));
    const submitted = await listed({ status: 'submitted', search: '', limit: 3 });
    expect(titles(submitted)).toEqual(['Inspection 2', 'Inspection 4', 'Inspection 6']);
    expect(submitted.total).toBe(10);
    const harbour = await all('HARB', 2);
    expect(titles(harbour)).toEqual(['Inspection 1', 'Inspection 4']);
    expect(harbour.total).toBe(7);
    const both = await listed({ status: 'draft', search: 'harbour', limit: 2 });
    expect(titles(both)).toEqual(['Inspection 1', 'Inspection 7']);
    expect(both.total).toBe(4);
  });

  it('reads with their conflicts only the inspections it shows', async () => {
    await seedInspections(db, 30);
    const allDocs = spyOn(db, 'allDocs').and.callThrough();
    for (const query of [
      { status: 'all', search: '', limit: 4 },
      { status: 'draft', search: '', limit: 4 },
      { status: 'all', search: 'inspection', limit: 4 },
    ] as const) {
      allDocs.calls.reset();
      expect((await listed(query)).inspections.length).toBe(4);
      const withConflicts = allDocs.calls.allArgs().filter(([options]) => (options as { conflicts?: boolean }).conflicts);
      expect(withConflicts.map(([options]) => (options as { keys?: string[] }).keys?.length)).toEqual([4]);
    }
  });

  it('queries a filtered list through the indexes', async () => {
    await seed();
    const find = spyOn(db, 'find').and.callThrough();
    const explain = (request: object) => (db as unknown as { explain(q: object): Promise<{ index: { ddoc: string } }> }).explain(request);

    await listed({ status: 'draft', search: '', limit: 2 });
    expect((await explain(find.calls.mostRecent().args[0] as object)).index.ddoc).toBe('_design/idx-type-status');

    await all('roof', 2);
    expect((await explain(find.calls.mostRecent().args[0] as object)).index.ddoc).toBe('_design/idx-type-scheduled');
  });

  it('shows conflicting revisions on listed inspections', async () => {
    const [, roof] = await seed();
    await db.bulkDocs([{ ...roof, _rev: '1-ffffffffffffffffffffffffffffffff', title: 'Roof (other tablet)' }], {
      new_edits: false,
    });
    const listed = (await all('roof')).inspections[0];
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
    const left = await all();
    expect(left.inspections.length).toBe(2);
    expect(left.total).toBe(2);
  });

  /** A record as another user's device wrote it, arriving here by replication. */
  async function writtenBy<T extends Inspection | Defect>(user: string, doc: T): Promise<T> {
    const { _rev, ...body } = { ...doc, createdBy: user, updatedBy: user };
    return { ...body, _rev: (await db.put<object>(body)).rev } as T;
  }

  it('deletes nothing when the rules refuse the inspection: one a supervisor assigned', async () => {
    const [mine] = await seed();
    const assigned = await writtenBy('sam', { ...mine, _id: newDocId('inspection'), assignedTo: 'ana' });
    const leak = await TestBed.inject(DefectStoreService).create(assigned._id, { title: 'Leak', severity: 3, status: 'open' });
    await expectAsync(store.remove(assigned)).toBeRejectedWith(
      jasmine.objectContaining({ errors: { createdBy: 'only the owner may delete this document' } }),
    );
    expect((await db.get(leak._id))._rev).toBe(leak._rev!);
    expect((await db.get(assigned._id))._rev).toBe(assigned._rev!);
  });

  it('deletes nothing when the rules refuse one of its defects: one someone else recorded', async () => {
    const [inspection] = await seed();
    const defects = TestBed.inject(DefectStoreService);
    const mine = await defects.create(inspection._id, { title: 'Leak', severity: 3, status: 'open' });
    // Listed after the user's own (by id): a deletion one by one would have deleted that one first.
    const theirs = await writtenBy('sam', { ...mine, _id: `defect:ffffffff-${crypto.randomUUID().slice(9)}`, title: 'Crack' });
    await expectAsync(store.remove(inspection)).toBeRejectedWith(jasmine.any(ValidationError));
    for (const doc of [inspection, mine, theirs]) expect((await db.get(doc._id))._rev).toBe(doc._rev!);
  });

  /** A photo, downscaled and thumbnailed as the camera input's are. */
  async function photo(): Promise<Blob> {
    const canvas = new OffscreenCanvas(200, 100);
    canvas.getContext('2d')!.fillRect(0, 0, 200, 100);
    return canvas.convertToBlob({ type: 'image/png' });
  }

  it("deletes its defects' photo documents with them", async () => {
    const [inspection, other] = await seed();
    const defects = TestBed.inject(DefectStoreService);
    const leak = await defects.create(inspection._id, { title: 'Leak', severity: 3, status: 'open' }, [
      await defects.preparePhoto(await photo()),
      await defects.preparePhoto(await photo()),
    ]);
    const kept = await defects.create(other._id, { title: 'Crack', severity: 2, status: 'open' }, [
      await defects.preparePhoto(await photo()),
    ]);
    const photoIds = async (defectId: string) => (await db.allDocs(photoIdRangeOf(defectId))).rows.map((row) => row.id);
    const taken = await photoIds(leak._id);
    expect(taken.length).toBe(2);

    await store.remove(inspection);
    expect(await photoIds(leak._id)).toEqual([]);
    // Tombstones, pushed like the defect's: the server's copies go too.
    const { rows } = await db.allDocs({ keys: taken });
    expect(rows.map((row) => 'value' in row && row.value.deleted)).toEqual([true, true]);
    expect((await photoIds(kept._id)).length).toBe(1);
  });

  it("deletes nothing when the rules refuse the deletion of one of its defects' photos: one someone else took", async () => {
    const [inspection] = await seed();
    const defects = TestBed.inject(DefectStoreService);
    const leak = await defects.create(inspection._id, { title: 'Leak', severity: 3, status: 'open' }, [
      await defects.preparePhoto(await photo()),
    ]);
    const [mine] = (await db.allDocs(photoIdRangeOf(leak._id))).rows;
    // A supervisor's photo of the same defect, fetched here when opened.
    const theirs = { ...(await db.get<PhotoDoc>(mine.id)), _id: photoDocId(leak._id, 'zzz-sam.jpg'), createdBy: 'sam' };
    const { _rev, _attachments, ...body } = theirs;
    await db.put({ ...body, _attachments: { full: { content_type: 'image/jpeg', data: await photo() } } });
    await expectAsync(store.remove(inspection)).toBeRejectedWith(
      jasmine.objectContaining({ errors: { createdBy: 'only the owner may delete this document' } }),
    );
    expect((await db.allDocs(photoIdRangeOf(leak._id))).rows.length).toBe(2);
    for (const doc of [inspection, leak]) expect((await db.get(doc._id))._rev).toBe(doc._rev!);
  });

  it("lets a supervisor delete an inspector's inspection with its defects", async () => {
    const [inspection] = await seed();
    const leak = await TestBed.inject(DefectStoreService).create(inspection._id, { title: 'Leak', severity: 3, status: 'open' });
    sessions.set({ name: 'sam', roles: ['supervisor'], db: ANA.db });
    await store.remove(inspection);
    for (const id of [inspection._id, leak._id]) await expectAsync(db.get(id)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
  });

  it('emits changes for local writes', async () => {
    const seen = firstValueFrom(store.changes$);
    // The live feed asked for its starting sequence before this: once answered, it listens.
    await db.info();
    const created = await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    expect(await seen).toBe(created._id);
  });
});
