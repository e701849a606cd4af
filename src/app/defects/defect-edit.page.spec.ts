import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Defect, Inspection } from '../../../domain/doc-types';
import { photoDocId, photoIdRangeOf } from '../../../domain/photo-doc';
import { DraftStore } from '../drafts/draft-store.service';
import { Database } from '../core/pouchdb';
import { DefectStoreService, photosOf } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { waitFor } from '../testing/test-support';
import { DefectEditPage } from './defect-edit.page';
import { PushLedgerService } from '../core/push-ledger.service';
import { endSyncTracking, openTrackedDb } from '../testing/sync-tracking';
import { watchBeforeUnload } from '../testing/before-unload';
import { abortedWriteError } from '../testing/aborted-write';

describe('DefectEditPage', () => {
  let db: Database;
  let inspectionId: string;
  let fixture: ComponentFixture<DefectEditPage>;

  beforeEach(async () => {
    db = await openTrackedDb([provideRouter([])]);
    inspectionId = (await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' }))
      ._id;
  });

  afterEach(async () => {
    fixture?.destroy();
    await endSyncTracking(db);
  });

  const one = (id: string) => fixture.nativeElement.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  function type(id: string, value: string): void {
    const input = one(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  async function pickPhoto(name = 'IMG_0003.png'): Promise<void> {
    const canvas = new OffscreenCanvas(200, 100);
    canvas.getContext('2d')!.fillRect(0, 0, 200, 100);
    const transfer = new DataTransfer();
    transfer.items.add(new File([await canvas.convertToBlob({ type: 'image/png' })], name, { type: 'image/png' }));
    const input = one('photo-input') as HTMLInputElement;
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
  }

  async function open(defectId?: string): Promise<void> {
    fixture = TestBed.createComponent(DefectEditPage);
    fixture.componentRef.setInput('id', inspectionId);
    if (defectId) fixture.componentRef.setInput('defectId', defectId);
    await fixture.whenStable();
  }

  it('creates a defect and continues on its own page for photos', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigate').and.resolveTo(true);
    await open();
    type('defect-title', 'Cracked tile');
    type('defect-location', 'Level 2');
    (one('severity-4')!.querySelector('button') as HTMLElement).click();
    one('save-defect')!.click();
    await waitFor(() => navigate.calls.count() > 0, 'navigation');
    const [commands] = navigate.calls.mostRecent().args;
    const id = (commands as string[])[3];
    const saved = await db.get<Defect>(id);
    expect(saved).toEqual(
      jasmine.objectContaining({ title: 'Cracked tile', location: 'Level 2', severity: 4, status: 'open', inspectionId }),
    );
    expect(saved.description).toBeUndefined();
  });

  it('shows what is wrong next to the field', async () => {
    await open();
    one('save-defect')!.click();
    await until(() => !!one('error-title'), 'the title error');
    expect(one('error-title')!.textContent).toContain('is required');
  });

  it('adds a photo from the camera input and shows its thumbnail', async () => {
    const defect = await openExisting();
    const input = one('photo-input') as HTMLInputElement;
    expect(input.disabled).toBeFalse();
    expect(input.accept).toBe('image/*');
    expect(input.getAttribute('capture')).toBe('environment');

    const canvas = new OffscreenCanvas(2000, 1000);
    canvas.getContext('2d')!.fillRect(0, 0, 2000, 1000);
    const file = new File([await canvas.convertToBlob({ type: 'image/png' })], 'IMG_0001.png', { type: 'image/png' });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));

    await until(() => !!one('photo-thumb'), 'the thumbnail');
    expect((one('photo-thumb') as HTMLImageElement).src).toMatch(/^blob:/);
    expect(photosOf(await db.get(defect._id)).length).toBe(1);
  });

  it('takes no photo for an existing defect until it has been read', async () => {
    const defect = await TestBed.inject(DefectStoreService).create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    fixture = TestBed.createComponent(DefectEditPage);
    fixture.componentRef.setInput('id', inspectionId);
    fixture.componentRef.setInput('defectId', defect._id);
    // First render, before the database has answered: a photo picked now would be held as for a new defect.
    fixture.detectChanges();
    expect((one('photo-input') as HTMLInputElement).disabled).toBeTrue();
    await until(() => (one('defect-title') as HTMLInputElement | null)?.value === 'Leak', 'the defect shown');
    expect((one('photo-input') as HTMLInputElement).disabled).toBeFalse();
  });

  async function openExisting(): Promise<Defect> {
    const defect = await TestBed.inject(DefectStoreService).create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    await open(defect._id);
    await until(() => (one('defect-title') as HTMLInputElement | null)?.value === 'Leak', 'the defect shown');
    return defect;
  }

  /** Another tab or a pull writes a new revision. */
  async function changeElsewhere(id: string, changes: Partial<Defect>): Promise<void> {
    await db.put({ ...(await db.get<Defect>(id)), ...changes });
  }

  it('follows a change made elsewhere while nothing was typed', async () => {
    const defect = await openExisting();
    await changeElsewhere(defect._id, { title: 'Leak under the sink' });
    await until(() => (one('defect-title') as HTMLInputElement).value === 'Leak under the sink', 'the new version shown');
    expect(one('changed-elsewhere')).toBeNull();
  });

  it('shows both versions when the save meets a newer one, and saves the merge', async () => {
    const defect = await openExisting();
    type('defect-title', 'Leak at the valve');
    await changeElsewhere(defect._id, { severity: 5 });
    await until(() => !!one('changed-elsewhere'), 'the changed-elsewhere notice');

    one('save-defect')!.click();
    await until(() => !!one('draft-merge'), 'both versions');
    expect((await db.get<Defect>(defect._id)).title).toBe('Leak');
    const row = (path: string) => fixture.nativeElement.querySelector(`[data-testid=conflict-field][data-path="${path}"]`) as HTMLElement;
    expect(row('title').getAttribute('data-status')).toBe('merged');
    expect(row('severity').getAttribute('data-status')).toBe('merged');
    one('keep-merged')!.click();
    await waitFor(async () => (await db.get<Defect>(defect._id)).title === 'Leak at the valve', 'the merge saved');
    expect((await db.get<Defect>(defect._id)).severity).toBe(5);
    await until(() => !one('draft-merge') && (one('defect-title') as HTMLInputElement).value === 'Leak at the valve', 'the saved defect');
    expect(one('save-status')!.textContent).toContain('Saved');
  });

  it("shows the server's refusal of the revision shown next to its field", async () => {
    const defect = await TestBed.inject(DefectStoreService).create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    await TestBed.inject(PushLedgerService).rejected(defect._id, 'location: is not on the site plan');
    await open(defect._id);
    await until(() => !!one('error-location'), 'the refusal next to the field');
    expect(one('error-location')!.textContent).toContain('is not on the site plan');
  });

  it('adds a photo without losing what was typed', async () => {
    const defect = await openExisting();
    type('defect-description', 'Dripping since Monday');
    const input = one('photo-input') as HTMLInputElement;
    const canvas = new OffscreenCanvas(200, 100);
    canvas.getContext('2d')!.fillRect(0, 0, 200, 100);
    const transfer = new DataTransfer();
    transfer.items.add(new File([await canvas.convertToBlob({ type: 'image/png' })], 'IMG_0002.png', { type: 'image/png' }));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));

    await until(() => !!one('photo-thumb'), 'the thumbnail');
    expect((one('defect-description') as HTMLTextAreaElement).value).toBe('Dripping since Monday');
    expect(one('changed-elsewhere')).toBeNull();
    one('save-defect')!.click();
    await waitFor(async () => (await db.get<Defect>(defect._id)).description === 'Dripping since Monday', 'the description saved');
    expect(photosOf(await db.get(defect._id)).length).toBe(1);
  });

  it('removes no photo while another is being stored: both would be written on the same revision, and the new one lost', async () => {
    const store = TestBed.inject(DefectStoreService);
    const defect = await store.create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    const canvas = new OffscreenCanvas(200, 100);
    canvas.getContext('2d')!.fillRect(0, 0, 200, 100);
    const image = await canvas.convertToBlob({ type: 'image/png' });
    const { ref: first } = await store.addPhoto(defect, image);
    await open(defect._id);
    await until(() => !!one('remove-photo'), 'the stored photo');
    // The picked image takes a while to prepare (a camera photo on a tablet).
    let prepared!: () => void;
    const preparing = new Promise<void>((resolve) => (prepared = resolve));
    const prepare = store.preparePhoto.bind(store);
    const preparePhoto = spyOn(store, 'preparePhoto').and.callFake(async (blob) => {
      await preparing;
      return prepare(blob);
    });
    const transfer = new DataTransfer();
    transfer.items.add(new File([image], 'IMG_0004.png', { type: 'image/png' }));
    const input = one('photo-input') as HTMLInputElement;
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
    await until(() => preparePhoto.calls.count() === 1, 'the photo being prepared');

    one('remove-photo')!.click();
    prepared();

    await until(() => !one('photo-input')!.hasAttribute('disabled'), 'the photo stored');
    const thumbs = photosOf(await db.get(defect._id)).map((ref) => ref.thumb);
    expect(thumbs.length).toBe(2);
    expect(thumbs).toContain(first.thumb);
    expect(one('changed-elsewhere')).toBeNull();
  });

  describe("a new defect's photos", () => {
    const key = () => `new-defect:${inspectionId}`;

    /** The photos the draft of the new defect lists, as stored (`_local/fieldbook-drafts`). */
    async function keptStems(): Promise<string[]> {
      const doc = await db.get<{ drafts: Record<string, { photos?: { stem: string }[] }> }>('_local/fieldbook-drafts').catch(() => null);
      return (doc?.drafts[key()]?.photos ?? []).map((photo) => photo.stem);
    }

    const pending = () => Array.from(fixture.nativeElement.querySelectorAll('[data-testid="pending-photo"]')) as HTMLElement[];

    it('keeps photos taken before anything is typed with the draft: after a closed tab they come back with the text', async () => {
      await open();
      await pickPhoto();
      await until(() => pending().length === 1, 'the photo held');
      type('defect-title', 'Cracked tile');
      await pickPhoto('IMG_0004.png');
      await until(() => pending().length === 2, 'the second photo held');
      await waitFor(async () => (await keptStems()).length === 2, 'the photos kept with the draft');
      // The tab closes: only what is on the device remains.
      fixture.destroy();

      await open();
      await until(() => pending().length === 2, 'the photos back on the form');
      expect((one('defect-title') as HTMLInputElement).value).toBe('Cracked tile');
      expect(one('draft-restored')).not.toBeNull();
      for (const figure of pending()) expect(figure.querySelector('img')!.src).toMatch(/^blob:/);
      const stems = await keptStems();

      // Saved, they are the defect's photos as if never put away; the draft goes, and its copies.
      const navigate = spyOn(TestBed.inject(Router), 'navigate').and.resolveTo(true);
      (one('severity-2')!.querySelector('button') as HTMLElement).click();
      one('save-defect')!.click();
      await waitFor(() => navigate.calls.count() > 0, 'navigation');
      const defectId = (navigate.calls.mostRecent().args[0] as string[])[3];
      const saved = await db.get<Defect>(defectId);
      expect(photosOf(saved).map((photo) => photo.thumb)).toEqual(stems.map((stem) => `thumb-${stem}`));
      const photoDocs = await db.allDocs(photoIdRangeOf(defectId));
      expect(photoDocs.rows.map((row) => row.id)).toEqual(stems.map((stem) => photoDocId(defectId, stem)));
      await waitFor(async () => (await drafts().get(key())) === null, 'the draft dropped');
      await waitFor(async () => (await keptCopies(stems)).length === 0, 'its copies of the photos deleted');
    });

    const drafts = () => TestBed.inject(DraftStore);

    /** Which of these photos' copies the drafts' store still holds (`_local` documents). */
    async function keptCopies(stems: string[]): Promise<string[]> {
      const held = await Promise.all(
        stems.map((stem) =>
          db.get(`_local/fieldbook-draft-photo:${stem}`).then(
            () => [stem],
            () => [],
          ),
        ),
      );
      return held.flat();
    }

    async function keepOnePhoto(): Promise<string> {
      await pickPhoto();
      await waitFor(async () => (await keptStems()).length === 1, 'the photo kept with the draft');
      return (await keptStems())[0];
    }

    it('deletes the photos with the draft when it is discarded', async () => {
      await open();
      const stem = await keepOnePhoto();
      fixture.destroy();
      await open();
      await until(() => pending().length === 1 && !!one('draft-restored'), 'the draft restored, photo and all');
      one('discard-draft')!.click();
      await until(() => pending().length === 0 && !one('draft-restored'), 'the form as new');
      await waitFor(async () => (await drafts().get(key())) === null, 'the draft dropped');
      await waitFor(async () => (await keptCopies([stem])).length === 0, 'its photo deleted');
    });

    it('lets a photo removed from the form go from the draft, and a draft keeping nothing else with it', async () => {
      await open();
      const stem = await keepOnePhoto();
      expect(await keptCopies([stem])).toEqual([stem]);
      (pending()[0].querySelector('[data-testid="remove-photo"]') as HTMLElement).click();
      await until(() => pending().length === 0, 'the photo off the form');
      await waitFor(async () => (await drafts().get(key())) === null, 'the draft dropped');
      await waitFor(async () => (await keptCopies([stem])).length === 0, 'its photo deleted');
    });

    it('keeps a photo storage refuses on the form, saying so, and what was typed all the same', async () => {
      const put = db.put.bind(db);
      spyOn(db, 'put').and.callFake(((doc: { _id: string }, ...rest: []) =>
        doc._id.startsWith('_local/fieldbook-draft-photo:')
          ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
          : put(doc, ...rest)) as typeof db.put);
      const unloadAsks = watchBeforeUnload();
      await open();
      type('defect-title', 'Cracked tile');
      expect(unloadAsks()).withContext('typing is kept by the draft').toBeFalse();
      await pickPhoto();
      await until(() => !!one('photo-not-kept'), 'the photo marked as not kept');
      expect(one('save-failure')!.textContent).toContain('This photo could not be kept with the draft');
      expect(pending().length).toBe(1);
      expect(unloadAsks()).withContext('a reload would lose the photo').toBeTrue();
      await waitFor(async () => (await drafts().get(key()))?.values['title'] === 'Cracked tile', 'the typed title kept');
      expect((await drafts().get(key()))!.photos).toBeUndefined();

      // Saved, the photo goes with the defect all the same.
      const navigate = spyOn(TestBed.inject(Router), 'navigate').and.resolveTo(true);
      (one('severity-2')!.querySelector('button') as HTMLElement).click();
      one('save-defect')!.click();
      await waitFor(() => navigate.calls.count() > 0, 'navigation');
      expect(photosOf(await db.get((navigate.calls.mostRecent().args[0] as string[])[3])).length).toBe(1);
    });
  });

  for (const [status, reason] of [
    ['submitted', 'Submitted — read-only until your supervisor reviews it'],
    ['approved', 'Approved — read-only'],
  ] as const) {
    it(`is read-only, saying why, while its inspection is ${status}; a rejection opens it again`, async () => {
      const defect = await openExisting();
      await changeElsewhere(defect._id, { inspectionStatus: status });
      await until(() => !!one('read-only-reason'), 'the read-only line');
      expect(one('read-only-reason')!.textContent).toContain(reason);
      expect((one('defect-title') as HTMLInputElement).disabled).toBeTrue();
      expect(one('save-defect')).toBeNull();
      expect(one('delete-defect')).toBeNull();
      expect(one('photo-input')).toBeNull();

      await changeElsewhere(defect._id, { inspectionStatus: 'rejected' });
      await until(() => !one('read-only-reason'), 'the defect open again');
      expect((one('defect-title') as HTMLInputElement).disabled).toBeFalse();
      expect(one('save-defect')).not.toBeNull();
    });
  }

  describe('a save that fails on this device', () => {
    async function typeNewDefect(): Promise<void> {
      await open();
      type('defect-title', 'Cracked tile');
      (one('severity-3')!.querySelector('button') as HTMLElement).click();
      await waitFor(async () => (await drafts().get(key()))?.values['title'] === 'Cracked tile', 'the draft kept');
    }
    const drafts = () => TestBed.inject(DraftStore);
    const key = () => `new-defect:${inspectionId}`;

    it('says the storage is full when IndexedDB aborts the write at the quota, keeping what was typed', async () => {
      await typeNewDefect();
      // What PouchDB really rejects with: the QuotaExceededError is dropped; the browser reports the quota nearly used.
      spyOn(db, 'bulkDocs').and.rejectWith(abortedWriteError());
      spyOn(navigator.storage, 'estimate').and.resolveTo({ usage: 995, quota: 1000 });
      one('save-defect')!.click();
      await until(() => !!one('save-failure'), 'the failure');
      expect(one('save-failure')!.textContent).toContain('The storage of this device is full');
      expect(one('save-failure')!.textContent).not.toContain('unknown error');
      expect((one('defect-title') as HTMLInputElement).value).toBe('Cracked tile');
      expect((await drafts().get(key()))?.values['title']).toBe('Cracked tile');
    });

    it('says the storage is full when a photo added to a defect is refused at the quota, not that the image is unreadable', async () => {
      await openExisting();
      spyOn(db, 'bulkDocs').and.rejectWith(abortedWriteError());
      spyOn(navigator.storage, 'estimate').and.resolveTo({ usage: 995, quota: 1000 });
      await pickPhoto();
      await until(() => !!one('save-failure'), 'the failure');
      expect(one('save-failure')!.textContent).toContain('The storage of this device is full');
    });

    it('says the inspection was deleted when it was deleted elsewhere, keeping what was typed', async () => {
      await typeNewDefect();
      // A pull brings the deletion made on another tablet.
      await db.remove(await db.get(inspectionId));
      one('save-defect')!.click();
      await until(() => !!one('save-failure'), 'the failure');
      expect(one('save-failure')!.textContent).toContain('The inspection of this defect was deleted');
      expect(one('changed-elsewhere')).toBeNull();
      expect((one('defect-title') as HTMLInputElement).value).toBe('Cracked tile');
      expect((await drafts().get(key()))?.values['title']).toBe('Cracked tile');
    });
  });

  it('says the defect was deleted elsewhere when it was while it was edited, keeping what was typed on the form and in the draft', async () => {
    const defect = await openExisting();
    type('defect-title', 'Leak at the valve');
    await db.remove(await db.get(defect._id));
    await until(() => !!one('changed-elsewhere'), 'the changed-elsewhere notice');
    expect(one('compare-versions')).withContext('there is no other version to compare with').toBeNull();
    one('save-defect')!.click();
    await until(() => !!one('save-failure'), 'the failure');
    expect(one('save-failure')!.textContent).toContain('This defect was deleted elsewhere');
    expect(one('defect-missing')).toBeNull();
    expect((one('defect-title') as HTMLInputElement).value).toBe('Leak at the valve');
    await waitFor(
      async () => (await TestBed.inject(DraftStore).get(defect._id))?.values['title'] === 'Leak at the valve',
      'the draft kept',
    );
  });

  it('says why a delete failed, and stays on the defect', async () => {
    const defect = await openExisting();
    spyOn(TestBed.inject(DefectStoreService), 'remove').and.rejectWith(new Error('The storage of this device is full'));
    const navigate = spyOn(TestBed.inject(Router), 'navigate').and.resolveTo(true);
    one('delete-defect')!.click();
    await waitFor(() => !!document.querySelector('[data-testid=delete-defect-confirm]'), 'the confirmation');
    (document.querySelector('[data-testid=delete-defect-confirm]') as HTMLElement).click();
    await until(() => !!one('save-failure'), 'the failure');
    expect(one('save-failure')!.textContent).toContain('This defect could not be deleted: The storage of this device is full.');
    expect(navigate).not.toHaveBeenCalled();
    expect((await db.get(defect._id))._id).toBe(defect._id);
  });

  it("offers no Delete on another user's defect: the rules let only its creator (or a supervisor) delete it", async () => {
    const defect = await openExisting();
    expect(one('delete-defect')).not.toBeNull();
    await changeElsewhere(defect._id, { createdBy: 'bo', title: 'Leak (Bo)' });
    await until(() => (one('defect-title') as HTMLInputElement).value === 'Leak (Bo)', "Bo's defect shown");
    expect(one('delete-defect')).toBeNull();
    expect(one('save-defect')).not.toBeNull();
  });

  it('takes no new defect under a submitted inspection, saying why, until a rejection opens it', async () => {
    const setStatus = async (status: Inspection['status']) => db.put({ ...(await db.get<Inspection>(inspectionId)), status });
    await setStatus('submitted');
    await open();
    await until(() => !!one('read-only-reason'), 'the read-only line');
    expect(one('read-only-reason')!.textContent).toContain('Submitted — read-only until your supervisor reviews it');
    expect((one('defect-title') as HTMLInputElement).disabled).toBeTrue();
    expect(one('save-defect')).toBeNull();
    expect(one('photo-input')).toBeNull();

    await setStatus('rejected');
    await until(() => !one('read-only-reason'), 'the form open again');
    expect((one('defect-title') as HTMLInputElement).disabled).toBeFalse();
    expect(one('save-defect')).not.toBeNull();
  });
});
