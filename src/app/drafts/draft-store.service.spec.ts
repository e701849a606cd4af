import { TestBed } from '@angular/core/testing';
import { userDbName } from '../../../domain/user-db-name';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { ANA, fakeSessions, provideTestData, requestsFinished, trackRequests } from '../testing/test-support';
import { DRAFT_PHOTO_BUDGET, DraftEntry, DraftOwner, DraftPhoto, DraftPhotoNotKept, DraftStore } from './draft-store.service';

/** Characters of photos the drafts keep here: three of `photo()`'s (5336 each), not four. */
const BUDGET = 3 * 4 * 1400;

/** Another user of the same browser. */
const BEN = { ...ANA, name: 'ben', db: userDbName('ben') };

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
    TestBed.configureTestingModule({ providers: [...provideTestData(fakeSessions()), { provide: DRAFT_PHOTO_BUDGET, useValue: BUDGET }] });
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

  /** A photo of 3000 bytes with a thumbnail of 1000: 4000 + 1336 characters as base64. */
  function photo(stem: string): DraftPhoto {
    const bytes = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + stem.length) % 256);
    return { stem, photo: new Blob([bytes(3000)], { type: 'image/jpeg' }), thumb: new Blob([bytes(1000)], { type: 'image/webp' }) };
  }

  const newDefect = 'new-defect:inspection:1';
  const typed = (title = '', writer = 'form-a'): DraftEntry => ({
    values: { title },
    inspectionId: 'inspection:1',
    savedAt: '2026-03-01T08:00:00.000Z',
    writer,
  });
  const formA = (photos: string[] = []): DraftOwner => ({ writers: new Set(['form-a']), photos });
  const copyOf = (stem: string) =>
    db.get(`_local/fieldbook-draft-photo:${stem}`).then(
      () => true,
      () => false,
    );
  const bytesOf = async (blob: Blob) => Array.from(new Uint8Array(await blob.arrayBuffer()));

  it("keeps a new defect's photos in _local documents its draft lists, through typing, until discarded", async () => {
    await store.keepPhoto(newDefect, photo('0001-a.jpg'), typed());
    await store.put(newDefect, typed('Crack'));
    await store.keepPhoto(newDefect, photo('0002-b.jpg'), typed('ignored: the draft exists'));
    const draft = (await store.get(newDefect))!;
    expect(draft.values).toEqual({ title: 'Crack' });
    expect(draft.photos!.map((kept) => kept.stem)).toEqual(['0001-a.jpg', '0002-b.jpg']);
    // Never replicated: no document a replication sees.
    expect((await db.allDocs()).rows.every((row) => row.id.startsWith('_design/'))).toBeTrue();

    const [first, second] = await store.readPhotos(draft);
    expect(first.stem).toBe('0001-a.jpg');
    expect(second.photo.type).toBe('image/jpeg');
    expect(second.thumb.type).toBe('image/webp');
    expect(await bytesOf(second.photo)).toEqual(await bytesOf(photo('0002-b.jpg').photo));
    expect(await bytesOf(second.thumb)).toEqual(await bytesOf(photo('0002-b.jpg').thumb));

    // Typed back to nothing, the draft stays for its photos.
    await store.untyped(newDefect, typed(), formA());
    expect((await store.get(newDefect))!.photos!.length).toBe(2);

    await store.discard(newDefect);
    expect(await store.get(newDefect)).toBeNull();
    expect(await copyOf('0001-a.jpg')).toBeFalse();
    expect(await copyOf('0002-b.jpg')).toBeFalse();
  });

  it('leaves what the same form typed in another tab since: a save or discard takes only its own photos', async () => {
    await store.keepPhoto(newDefect, photo('0001-a.jpg'), typed('Crack'));
    // The same new defect open in another tab: typed on, a photo of its own.
    await store.put(newDefect, typed('Crack, 2 m', 'form-b'));
    await store.keepPhoto(newDefect, photo('0002-b.jpg'), typed('ignored: the draft exists', 'form-b'));

    // Typed back to nothing in the first tab: the other tab's typing stays.
    await store.untyped(newDefect, typed(), formA(['0001-a.jpg']));
    expect((await store.get(newDefect))!.values).toEqual({ title: 'Crack, 2 m' });

    const discarded = store.discard(newDefect, db, formA(['0001-a.jpg']));
    expect(store.drafts()[newDefect]).withContext('still listed while the other tab holds it').toBeDefined();
    await discarded;
    const kept = (await store.get(newDefect))!;
    expect(kept.values).toEqual({ title: 'Crack, 2 m' });
    expect(kept.photos!.map(({ stem }) => stem)).toEqual(['0002-b.jpg']);
    expect(await copyOf('0001-a.jpg')).toBeFalse();
    expect(await copyOf('0002-b.jpg')).toBeTrue();

    // The other tab's own discard takes the rest.
    await store.discard(newDefect, db, { writers: new Set(['form-b']), photos: ['0002-b.jpg'] });
    expect(await store.get(newDefect)).toBeNull();
    expect(await copyOf('0002-b.jpg')).toBeFalse();
  });

  it('lets a photo go, and the draft with its last one when nothing was typed', async () => {
    await store.keepPhoto(newDefect, photo('0001-a.jpg'), typed());
    await store.keepPhoto(newDefect, photo('0002-b.jpg'), typed());
    const nothingTyped = (draft: DraftEntry) => draft.values['title'] === '';
    await store.dropPhotos(newDefect, ['0001-a.jpg'], nothingTyped);
    expect((await store.get(newDefect))!.photos!.map((kept) => kept.stem)).toEqual(['0002-b.jpg']);
    expect(await copyOf('0001-a.jpg')).toBeFalse();
    await store.dropPhotos(newDefect, ['0002-b.jpg'], nothingTyped);
    expect(await store.get(newDefect)).toBeNull();
    expect(await copyOf('0002-b.jpg')).toBeFalse();
  });

  it('keeps no photo past the budget of all drafts, and keeps what was typed', async () => {
    await store.keepPhoto(newDefect, photo('0001-a.jpg'), typed('Crack'));
    await store.keepPhoto('new-defect:inspection:2', photo('0002-b.jpg'), { ...typed('Leak'), inspectionId: 'inspection:2' });
    await store.keepPhoto(newDefect, photo('0003-c.jpg'), typed());
    await expectAsync(store.keepPhoto(newDefect, photo('0004-d.jpg'), typed())).toBeRejectedWith(
      jasmine.objectContaining({ name: 'DraftPhotoNotKept', reason: 'full' }),
    );
    expect(await copyOf('0004-d.jpg')).toBeFalse();
    const draft = (await store.get(newDefect))!;
    expect(draft.values).toEqual({ title: 'Crack' });
    expect(draft.photos!.length).toBe(2);
    // Room again once a draft goes.
    await store.discard('new-defect:inspection:2');
    await store.keepPhoto(newDefect, photo('0004-d.jpg'), typed());
    expect((await store.get(newDefect))!.photos!.length).toBe(3);
  });

  it('says storage refused a photo (full), keeping nothing of it and what was typed', async () => {
    await store.put(newDefect, typed('Crack'));
    const put = db.put.bind(db);
    spyOn(db, 'put').and.callFake(((doc: { _id: string }, ...rest: []) =>
      doc._id.startsWith('_local/fieldbook-draft-photo:')
        ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
        : put(doc, ...rest)) as typeof db.put);
    const refused = await store.keepPhoto(newDefect, photo('0001-a.jpg'), typed()).catch((error: unknown) => error);
    expect(refused).toEqual(jasmine.any(DraftPhotoNotKept));
    expect((refused as DraftPhotoNotKept).reason).toBe('storage');
    expect(await store.get(newDefect)).toEqual(typed('Crack'));
    // A form with no draft yet is left with none.
    await expectAsync(store.keepPhoto('new-defect:inspection:2', photo('0002-b.jpg'), typed())).toBeRejectedWithError(DraftPhotoNotKept);
    expect(await store.get('new-defect:inspection:2')).toBeNull();
  });

  it('never holds the bytes of a photo no draft lists, whichever write a tab closed in the middle of never made', async () => {
    // PouchDB lists no `_local` documents: bytes no draft lists could never be counted nor deleted.
    let writes = 0;
    let cutAt = Infinity;
    let cut = (): void => undefined;
    const [put, remove] = [db.put.bind(db), db.remove.bind(db)];
    const cutShort =
      <F extends (...args: never[]) => Promise<unknown>>(write: F) =>
      (...args: Parameters<F>) => {
        if (++writes < cutAt) return write(...args);
        cut();
        return new Promise(() => undefined);
      };
    spyOn(db, 'put').and.callFake(cutShort(put) as typeof db.put);
    spyOn(db, 'remove').and.callFake(cutShort(remove) as typeof db.remove);
    const cases: [string, (store: DraftStore, key: string, stem: string) => Promise<unknown>][] = [
      ['kept', (tab, key, stem) => tab.keepPhoto(key, photo(stem), typed())],
      ['dropped', (tab, key, stem) => tab.dropPhotos(key, [stem], () => true)],
      ['discarded', (tab, key) => tab.discard(key)],
    ];
    for (const [name, step] of cases) {
      for (const at of [1, 2]) {
        const [key, stem] = [`new-defect:${name}-${at}`, `${name}-${at}.jpg`];
        // Each case in a tab of its own: the cut-short write stays pending in the one before.
        const tab = TestBed.runInInjectionContext(() => new DraftStore());
        [writes, cutAt] = [0, Infinity];
        if (name !== 'kept') await tab.keepPhoto(key, photo(stem), typed());
        [writes, cutAt] = [0, at];
        await new Promise<void>((resolve) => {
          cut = resolve;
          void step(tab, key, stem);
        });
        const drafts = await store.refresh();
        const listed = drafts[key]?.photos?.some((kept) => kept.stem === stem) ?? false;
        expect(!(await copyOf(stem)) || listed)
          .withContext(`${name}, write ${at} never made`)
          .toBeTrue();
        // Room for the next case's photo (the budget holds three).
        cutAt = Infinity;
        await store.discard(key);
      }
    }
  });

  it("deletes the photos with the user's database at logout; another user's database never holds them", async () => {
    await store.keepPhoto(newDefect, photo('0001-a.jpg'), typed('Crack'));
    const local = TestBed.inject(LocalDbService);
    await requestsFinished(db);
    await local.destroy();
    db = await local.open(ANA.db);
    trackRequests(db);
    expect(await store.get(newDefect)).toBeNull();
    expect(await copyOf('0001-a.jpg')).toBeFalse();

    await store.keepPhoto(newDefect, photo('0002-b.jpg'), typed('Crack'));
    const anas = (await store.get(newDefect))!;
    await requestsFinished(db);
    await local.close();
    db = await local.open(BEN.db);
    trackRequests(db);
    expect(store.drafts()).toEqual({});
    expect(await store.get(newDefect)).toBeNull();
    expect(await store.readPhotos(anas)).toEqual([]);
    expect(await copyOf('0002-b.jpg')).toBeFalse();
  });

  it("keeps nothing of a photo picked on a form whose database closed meanwhile (another user's login)", async () => {
    const anas = db;
    const local = TestBed.inject(LocalDbService);
    await requestsFinished(db);
    await local.close();
    db = await local.open(BEN.db);
    trackRequests(db);
    await store.keepPhoto(newDefect, photo('0001-a.jpg'), typed('Crack'), anas);
    expect(await store.get(newDefect)).toBeNull();
    expect(await copyOf('0001-a.jpg')).toBeFalse();
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
