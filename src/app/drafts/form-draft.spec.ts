import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Inspection } from '../../../domain/doc-types';
import { userDbName } from '../../../domain/user-db-name';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { DefectStoreService } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { InspectionDetailPage } from '../inspections/inspection-detail.page';
import { InspectionNewPage } from '../inspections/inspection-new.page';
import { attachSyncTracking, detachSyncTracking, endSyncTracking, openTrackedDb } from '../testing/sync-tracking';
import { ANA, requestsFinished, waitFor } from '../testing/test-support';
import { MINE, THEIRS } from './draft-merge';
import { DraftStore } from './draft-store.service';

/** FormDraft as the inspection page uses it: kept as typed, restored, merged with a newer version. */
describe('FormDraft', () => {
  let db: Database;
  let store: InspectionStoreService;
  let drafts: DraftStore;
  let inspection: Inspection;
  let fixture: ComponentFixture<InspectionDetailPage> | undefined;

  beforeEach(async () => {
    db = await openTrackedDb([provideRouter([])]);
    store = TestBed.inject(InspectionStoreService);
    drafts = TestBed.inject(DraftStore);
    inspection = await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
  });

  afterEach(async () => {
    fixture?.destroy();
    await endSyncTracking(db);
  });

  const all = (id: string) => Array.from(fixture!.nativeElement.querySelectorAll(`[data-testid="${id}"]`)) as HTMLElement[];
  const one = (id: string) => all(id)[0];
  const value = (id: string) => (one(id) as HTMLInputElement).value;

  async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture!.whenStable();
      return condition();
    }, what);
  }

  async function open(): Promise<void> {
    fixture = TestBed.createComponent(InspectionDetailPage);
    fixture.componentRef.setInput('id', inspection._id);
    await until(() => !!one('inspection-heading'), 'the inspection to show');
  }

  function type(id: string, text: string): void {
    const element = one(id) as HTMLInputElement;
    element.value = text;
    element.dispatchEvent(new Event('input'));
  }

  /** Another device's save, arriving through the local database. */
  async function savedElsewhere(changes: Partial<Inspection>): Promise<void> {
    const stored = await db.get<Inspection>(inspection._id);
    await db.put({ ...stored, ...changes });
  }

  const stored = () => db.get<Inspection>(inspection._id);
  const draftOf = () => drafts.get(inspection._id);

  it('keeps what is typed as a draft and restores it when the page opens again, until discarded', async () => {
    await open();
    type('inspection-notes', 'Ladder needed');
    type('checklist-note-0', 'Blocked by pallets');
    await until(async () => (await draftOf())?.values['notes'] === 'Ladder needed', 'the draft written');
    expect((await draftOf())!.baseRev).toBe(inspection._rev!);
    type('inspection-notes', 'Ladder needed, 4 m');
    // Leaving does not wait for typing to pause.
    fixture!.destroy();
    await waitFor(async () => (await draftOf())?.values['notes'] === 'Ladder needed, 4 m', 'the draft written on leaving');

    await open();
    await until(() => value('inspection-notes') === 'Ladder needed, 4 m', 'the draft restored');
    expect(value('checklist-note-0')).toBe('Blocked by pallets');
    expect(one('draft-restored').textContent).toContain('Unsaved edits from');
    expect((await stored()).notes).toBeUndefined();

    one('discard-draft').click();
    await until(() => value('inspection-notes') === '', 'the stored version shown');
    expect(one('draft-restored')).toBeUndefined();
    await waitFor(async () => (await draftOf()) === null, 'the draft gone');
  });

  it('keeps a checklist item removed before anything was typed, and restores the list without it', async () => {
    await open();
    (fixture!.nativeElement.querySelector('[aria-label="Remove item 2"]') as HTMLElement).click();
    await until(() => all('checklist-item').length === 3, 'the item removed');
    fixture!.destroy();
    await waitFor(async () => ((await draftOf())?.values['checklist'] as unknown[] | undefined)?.length === 3, 'the removal kept');

    await open();
    await until(() => all('checklist-item').length === 3, 'the draft restored');
    expect(one('draft-restored')).toBeDefined();
  });

  it('drops the draft once saved', async () => {
    await open();
    type('inspection-notes', 'Ladder needed');
    await until(async () => !!(await draftOf()), 'the draft written');
    one('save-inspection').click();
    await waitFor(async () => (await stored()).notes === 'Ladder needed', 'the save');
    await waitFor(async () => (await draftOf()) === null, 'the draft dropped');
    expect(drafts.inspectionIds().has(inspection._id)).toBeFalse();
  });

  it('keeps what is typed while a save runs, as a draft on the saved revision, until saved in turn', async () => {
    await open();
    type('inspection-notes', 'Ladder needed');
    const update = store.update.bind(store);
    spyOn(store, 'update').and.callFake(async (doc, changes) => {
      const written = await update(doc, changes);
      // The fields stay editable while the write runs.
      type('inspection-notes', 'Ladder needed, 4 m');
      return written;
    });
    one('save-inspection').click();
    await waitFor(async () => (await stored()).notes === 'Ladder needed', 'the save');
    await waitFor(async () => (await draftOf())?.baseRev === (await stored())._rev, 'the later typing kept on the saved revision');
    expect((await draftOf())!.values['notes']).toBe('Ladder needed, 4 m');
    expect(value('inspection-notes')).toBe('Ladder needed, 4 m');
    expect(one('changed-elsewhere')).toBeUndefined();

    (store.update as jasmine.Spy).and.callFake(update);
    one('save-inspection').click();
    await waitFor(async () => (await stored()).notes === 'Ladder needed, 4 m', 'the later typing saved');
    await waitFor(async () => (await draftOf()) === null, 'the draft dropped');
  });

  it('opens a draft typed on a version changed since as a merge: nothing overwritten, chosen per field', async () => {
    await open();
    type('inspection-notes', 'Mine');
    type('checklist-note-0', 'Blocked');
    fixture!.destroy();
    fixture = undefined;
    await waitFor(async () => (await draftOf())?.values['notes'] === 'Mine', 'the draft kept');
    await savedElsewhere({ notes: 'Theirs', site: 'Depot 5' });

    await open();
    await until(() => !!one('draft-merge'), 'the merge');
    expect(one('inspection-notes').closest('form')!.hidden).toBeTrue();
    const row = (path: string) => fixture!.nativeElement.querySelector(`[data-testid=conflict-field][data-path="${path}"]`) as HTMLElement;
    expect(row('notes').getAttribute('data-status')).toBe('conflict');
    expect(row('site').getAttribute('data-status')).toBe('merged');
    expect((one('keep-merged') as HTMLButtonElement).disabled).toBeTrue();
    (row('notes').querySelector(`[data-testid="choose-${MINE}"]`) as HTMLElement).click();
    await until(() => !(one('keep-merged') as HTMLButtonElement).disabled, 'every conflict chosen');
    one('keep-merged').click();

    await until(() => !one('draft-merge'), 'the merge closed');
    expect(value('inspection-notes')).toBe('Mine');
    expect(value('checklist-note-0')).toBe('Blocked');
    expect(value('inspection-site')).toBe('Depot 5');
    // Still a draft, now on the stored version; saving writes the result.
    await waitFor(async () => (await draftOf())?.baseRev === (await stored())._rev, 'the draft moved onto the stored version');
    one('save-inspection').click();
    await waitFor(async () => (await stored()).notes === 'Mine', 'the merged result saved');
    const saved = await stored();
    expect(saved.site).toBe('Depot 5');
    expect(saved.checklist[0].note).toBe('Blocked');
  });

  it('shows both versions when Save meets a change made elsewhere, and saves the choice', async () => {
    await open();
    type('inspection-notes', 'Mine');
    await savedElsewhere({ notes: 'Theirs', title: 'Roof (north)' });
    await until(() => !!one('changed-elsewhere'), 'the change elsewhere noticed');
    expect(one('compare-versions')).toBeDefined();

    one('save-inspection').click();
    await until(() => !!one('draft-merge'), 'the merge');
    expect(one('keep-merged').textContent).toContain('Save the result');
    one('keep-mine').click();
    await waitFor(async () => (await stored()).notes === 'Mine', 'mine saved over theirs');
    // Mine as a whole, as the conflict inbox keeps a version: their change of the title goes too.
    expect((await stored()).title).toBe('Roof');
    await waitFor(async () => (await draftOf()) === null, 'the draft dropped');
  });

  it("marks the inspection's defects holding a draft, and a new defect typed and not saved", async () => {
    const defect = await TestBed.inject(DefectStoreService).create(inspection._id, { title: 'Leak', severity: 3, status: 'open' });
    const typed = { values: { title: 'Leak at the valve' }, inspectionId: inspection._id, savedAt: '2026-03-01T08:00:00.000Z' };
    await drafts.put(defect._id, typed);
    await open();
    await until(() => !!one('defect-draft'), "the defect's draft marked");
    expect(one('defect-draft').closest('[data-testid=defect-row]')!.textContent).toContain('Leak');
    expect(one('new-defect-draft')).toBeUndefined();
    await drafts.put(`new-defect:${inspection._id}`, typed);
    await until(() => !!one('new-defect-draft'), 'the new defect marked');
  });

  it('keeps a new inspection typed and not saved, and drops it once created', async () => {
    spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    const page = () => TestBed.createComponent(InspectionNewPage);
    let form = page();
    const field = (id: string) => form.nativeElement.querySelector(`[data-testid="${id}"]`) as HTMLInputElement;
    await form.whenStable();
    field('inspection-title').value = 'Boiler room';
    field('inspection-title').dispatchEvent(new Event('input'));
    form.destroy();
    await waitFor(async () => (await drafts.get('new-inspection'))?.values['title'] === 'Boiler room', 'the draft kept on leaving');

    form = page();
    await waitFor(async () => {
      await form.whenStable();
      return field('inspection-title').value === 'Boiler room';
    }, 'the draft restored');
    expect(field('draft-restored')).not.toBeNull();
    field('inspection-site').value = 'Depot 7';
    field('inspection-site').dispatchEvent(new Event('input'));
    field('save-inspection').click();
    await waitFor(async () => (await drafts.get('new-inspection')) === null, 'the draft dropped once created');
    form.destroy();
  });

  it('never writes what one user typed into the drafts of the next (a switch of user in another tab as typing pauses)', async () => {
    spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    const local = TestBed.inject(LocalDbService);
    // The pause in typing ends while the tab switches to Ben: the write runs once he is in.
    let switched!: () => void;
    const switching = new Promise<void>((resolve) => (switched = resolve));
    const writes: Promise<void>[] = [];
    const put = drafts.put.bind(drafts);
    spyOn(drafts, 'put').and.callFake((...args: Parameters<DraftStore['put']>) => {
      const write = switching.then(() => put(...args));
      writes.push(write);
      return write;
    });
    const form = TestBed.createComponent(InspectionNewPage);
    await form.whenStable();
    const title = form.nativeElement.querySelector('[data-testid="inspection-title"]') as HTMLInputElement;
    title.value = "Ana's boiler room";
    title.dispatchEvent(new Event('input'));
    await waitFor(() => writes.length === 1, 'the pause in typing');

    detachSyncTracking();
    await requestsFinished(db);
    db = await local.open(userDbName('ben'));
    await attachSyncTracking(db);
    switched();
    await writes[0];
    form.destroy();
    await Promise.all(writes);
    expect(await drafts.get('new-inspection')).toBeNull();
    await endSyncTracking(db);
    // Back to Ana (her database is deleted after the test).
    db = await local.open(ANA.db);
    await attachSyncTracking(db);
  });

  it('turns a save refused with 409 into the merge, never only a message', async () => {
    await open();
    type('inspection-notes', 'Mine');
    const update = store.update.bind(store);
    // The other version lands between the last read and this write.
    spyOn(store, 'update').and.callFake(async (doc, changes) => {
      await savedElsewhere({ notes: 'Theirs' });
      return update(doc, changes);
    });
    one('save-inspection').click();
    await until(() => !!one('draft-merge'), 'the merge');
    expect(one('save-failure')).toBeUndefined();
    const notes = fixture!.nativeElement.querySelector('[data-testid=conflict-field][data-path="notes"]') as HTMLElement;
    (notes.querySelector(`[data-testid="choose-${THEIRS}"]`) as HTMLElement).click();
    await fixture!.whenStable();
    (store.update as jasmine.Spy).and.callFake(update);
    one('keep-merged').click();
    await until(() => !one('draft-merge'), 'the merge closed');
    await waitFor(async () => (await draftOf()) === null, 'the draft dropped once saved');
    expect((await stored()).notes).toBe('Theirs');
    expect(value('inspection-notes')).toBe('Theirs');
  });
  describe('with the same inspection open in two tabs', () => {
    const tabs: ComponentFixture<InspectionDetailPage>[] = [];
    afterEach(() => tabs.splice(0).forEach((tab) => tab.destroy()));

    const inTab = (tab: ComponentFixture<InspectionDetailPage>, id: string) =>
      tab.nativeElement.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | null;
    async function openTab(): Promise<ComponentFixture<InspectionDetailPage>> {
      const tab = TestBed.createComponent(InspectionDetailPage);
      tabs.push(tab);
      // A new fixture takes the last one's root out of the document, and a detached form does not submit.
      for (const other of tabs) if (!other.nativeElement.isConnected) document.body.appendChild(other.nativeElement);
      tab.componentRef.setInput('id', inspection._id);
      await waitFor(async () => {
        await tab.whenStable();
        return !!inTab(tab, 'inspection-heading');
      }, 'the inspection to show');
      return tab;
    }
    function typeIn(tab: ComponentFixture<InspectionDetailPage>, id: string, text: string): void {
      const element = inTab(tab, id)!;
      element.value = text;
      element.dispatchEvent(new Event('input'));
    }
    async function saveIn(tab: ComponentFixture<InspectionDetailPage>, title: string): Promise<void> {
      await tab.whenStable();
      inTab(tab, 'save-inspection')!.click();
      await waitFor(async () => (await stored()).title === title, 'the save');
    }

    it("keeps the other tab's typing when one saves: a save drops only the draft its own form wrote", async () => {
      const discard = spyOn(drafts, 'discard').and.callThrough();
      const tabA = await openTab();
      const tabB = await openTab();
      typeIn(tabB, 'inspection-notes', 'Typed in tab B');
      await waitFor(async () => (await draftOf())?.values['notes'] === 'Typed in tab B', "tab B's draft kept");

      typeIn(tabA, 'inspection-title', 'Roof (north)');
      await saveIn(tabA, 'Roof (north)');
      await waitFor(() => discard.calls.count() === 1, "tab A's draft dropped");
      await discard.calls.mostRecent().returnValue;
      tabB.destroy();
      const kept = (await draftOf())!;
      expect(kept.values['notes']).toBe('Typed in tab B');
      expect(kept.baseRev).withContext('typed on the version before the save: reopened, a merge').toBe(inspection._rev!);
    });

    it("keeps a tab's typing again when the other tab wrote over it and saved", async () => {
      const tabA = await openTab();
      const tabB = await openTab();
      typeIn(tabB, 'inspection-notes', 'Typed in tab B');
      await waitFor(async () => (await draftOf())?.values['notes'] === 'Typed in tab B', "tab B's draft kept");
      typeIn(tabA, 'inspection-title', 'Roof (north)');
      await waitFor(async () => (await draftOf())?.values['title'] === 'Roof (north)', "tab A's draft over it");

      await saveIn(tabA, 'Roof (north)');
      await waitFor(async () => (await draftOf())?.values['notes'] === 'Typed in tab B', "tab B's typing kept again");
      expect((await draftOf())!.baseRev).toBe(inspection._rev!);
    });
  });
});
