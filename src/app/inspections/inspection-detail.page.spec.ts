import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Defect, Inspection } from '../../../domain/doc-types';
import { Database } from '../core/pouchdb';
import { DefectStoreService } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { newDocId } from '../data/doc-writer.service';
import { DraftStore } from '../drafts/draft-store.service';
import { ANA, FakeSessions, fakeSessions, waitFor } from '../testing/test-support';
import { InspectionDetailPage } from './inspection-detail.page';
import { PushLedgerService } from '../core/push-ledger.service';
import { endSyncTracking, openTrackedDb } from '../testing/sync-tracking';

describe('InspectionDetailPage', () => {
  let db: Database;
  let store: InspectionStoreService;
  let inspection: Inspection;
  let fixture: ComponentFixture<InspectionDetailPage>;
  let sessions: FakeSessions;

  beforeEach(async () => {
    sessions = fakeSessions();
    db = await openTrackedDb([provideRouter([])], sessions);
    store = TestBed.inject(InspectionStoreService);
    inspection = await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
  });

  afterEach(async () => {
    fixture?.destroy();
    await endSyncTracking(db);
  });

  const all = (id: string) => Array.from(fixture.nativeElement.querySelectorAll(`[data-testid="${id}"]`)) as HTMLElement[];
  const one = (id: string) => all(id)[0];

  async function open(): Promise<void> {
    fixture = TestBed.createComponent(InspectionDetailPage);
    fixture.componentRef.setInput('id', inspection._id);
    await waitFor(async () => {
      await fixture.whenStable();
      return !!one('inspection-heading');
    }, 'the inspection to show');
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  function type(element: HTMLElement, value: string): void {
    (element as HTMLInputElement).value = value;
    element.dispatchEvent(new Event('input'));
  }

  it('shows the inspection with its checklist', async () => {
    await open();
    expect(one('inspection-heading').textContent).toContain('Roof');
    expect((one('inspection-title') as HTMLInputElement).value).toBe('Roof');
    expect(all('checklist-item').length).toBe(inspection.checklist.length);
    expect(one('inspection-status').getAttribute('data-status')).toBe('draft');
  });

  it('records checklist results and notes', async () => {
    await open();
    const firstRow = all('checklist-item')[0];
    (firstRow.querySelector('[data-testid=result-fail] button') as HTMLElement).click();
    type(one('checklist-note-0'), 'Extinguisher missing');
    one('save-inspection').click();
    await waitFor(async () => (await db.get<Inspection>(inspection._id)).checklist[0].result === 'fail', 'the result saved');
    const saved = await db.get<Inspection>(inspection._id);
    expect(saved.checklist[0].note).toBe('Extinguisher missing');
    expect(saved.checklist[1].result).toBeNull();
    expect(saved.checklist[1].note).toBeUndefined();
  });

  it('shows stored checklist results, and a later save keeps them', async () => {
    const checklist = inspection.checklist.map((item, i) => ({ ...item, result: i === 0 ? ('fail' as const) : item.result }));
    inspection = { ...inspection, ...(await db.put({ ...inspection, checklist })), checklist };
    await open();
    const firstRow = all('checklist-item')[0];
    expect(firstRow.querySelector('[data-testid=result-fail]')!.classList).toContain('mat-button-toggle-checked');
    type(one('inspection-notes'), 'Second visit');
    one('save-inspection').click();
    await waitFor(async () => (await db.get<Inspection>(inspection._id)).notes === 'Second visit', 'the second save');
    expect((await db.get<Inspection>(inspection._id)).checklist[0].result).toBe('fail');
    await fixture.whenStable();
    expect(all('checklist-item')[0].querySelector('[data-testid=result-fail]')!.classList).toContain('mat-button-toggle-checked');
  });

  it('puts a checklist violation next to the item and saves nothing', async () => {
    await open();
    one('add-checklist-item').click();
    await fixture.whenStable();
    one('save-inspection').click();
    const index = inspection.checklist.length;
    await until(() => !!one(`error-checklist[${index}].label`), 'the item error');
    expect(one(`error-checklist[${index}].label`).textContent).toContain('is required');
    expect((await db.get<Inspection>(inspection._id))._rev).toBe(inspection._rev!);
  });

  function answer(index: number, result: 'pass' | 'fail' | 'na'): void {
    (all('checklist-item')[index].querySelector(`[data-testid=result-${result}] button`) as HTMLElement).click();
  }

  it('lists the unanswered items instead of submitting, until they are answered', async () => {
    await open();
    answer(0, 'pass');
    answer(2, 'na');
    one('submit-inspection').click();
    await until(() => all('unanswered-item').length === 2, 'the unanswered items listed');
    expect(all('unanswered-item').map((item) => item.textContent!.trim())).toEqual([
      inspection.checklist[1].label,
      inspection.checklist[3].label,
    ]);
    expect((await db.get<Inspection>(inspection._id))._rev).toBe(inspection._rev!);

    answer(1, 'fail');
    await until(() => all('unanswered-item').length === 1, 'the list to follow the answers');
    answer(3, 'na');
    await until(() => !one('unanswered-items'), 'the list gone once all are answered');
  });

  it('submits a draft with every item answered, its defects along, and is then read-only until reviewed', async () => {
    const defect = await TestBed.inject(DefectStoreService).create(inspection._id, { title: 'Leak', severity: 4, status: 'open' });
    await open();
    inspection.checklist.forEach((_, i) => answer(i, i === 1 ? 'na' : 'pass'));
    one('submit-inspection').click();
    await waitFor(async () => (await db.get<Inspection>(inspection._id)).status === 'submitted', 'submission');
    expect((await db.get<Inspection>(inspection._id)).checklist.map((item) => item.result)).toEqual(['pass', 'na', 'pass', 'pass']);
    expect((await db.get<Defect>(defect._id)).inspectionStatus).toBe('submitted');
    await until(() => one('inspection-status').getAttribute('data-status') === 'submitted', 'the status to show');
    expect(one('read-only-reason').textContent).toContain('Submitted — read-only until your supervisor reviews it');
    expect((one('inspection-title') as HTMLInputElement).disabled).toBeTrue();
    expect(one('save-inspection')).toBeUndefined();
    expect(one('submit-inspection')).toBeUndefined();
    expect(one('delete-inspection')).toBeUndefined();
    expect(one('add-defect')).toBeUndefined();
  });

  it('opens again for editing when a supervisor rejects it', async () => {
    const answered = inspection.checklist.map((item) => ({ ...item, result: 'pass' as const }));
    inspection = {
      ...inspection,
      ...(await db.put({ ...inspection, checklist: answered, status: 'submitted' })),
      checklist: answered,
      status: 'submitted',
    };
    await open();
    expect(one('read-only-reason')).toBeDefined();
    await db.put({ ...(await db.get<Inspection>(inspection._id)), status: 'rejected', reviewComment: 'Photos missing', updatedBy: 'sam' });
    await until(() => one('inspection-status').getAttribute('data-status') === 'rejected', 'the rejection to show');
    expect(one('read-only-reason')).toBeUndefined();
    expect((one('inspection-title') as HTMLInputElement).disabled).toBeFalse();
    expect(one('submit-inspection')).toBeDefined();
  });

  it("shows the server's refusal next to the field it names", async () => {
    await TestBed.inject(PushLedgerService).rejected(inspection._id, 'site: is not a known site');
    await open();
    expect(one('rejection-banner').textContent).toContain('Site: is not a known site');
    expect(one('error-site').textContent).toContain('is not a known site');
    expect(one('sync-badge').getAttribute('data-status')).toBe('rejected');
  });

  it('locks an approved inspection', async () => {
    inspection = { ...inspection, ...(await db.put({ ...inspection, status: 'approved' })), status: 'approved' };
    await open();
    expect(one('read-only-reason').textContent).toContain('Approved — read-only');
    expect((one('inspection-title') as HTMLInputElement).disabled).toBeTrue();
    expect(one('save-inspection')).toBeUndefined();
    expect(one('add-defect')).toBeUndefined();
  });

  it('keeps unsaved edits when one of its defects changes', async () => {
    await open();
    type(one('inspection-title'), 'Roof and gutters');
    one('add-checklist-item').click();
    await fixture.whenStable();
    await TestBed.inject(DefectStoreService).create(inspection._id, { title: 'Leak', severity: 4, status: 'open' });
    await until(() => all('defect-row').length === 1, 'the defect row');
    expect((one('inspection-title') as HTMLInputElement).value).toBe('Roof and gutters');
    expect(all('checklist-item').length).toBe(inspection.checklist.length + 1);
    expect(one('changed-elsewhere')).toBeUndefined();
  });

  it('follows a change made elsewhere while unedited, and says so once something was typed', async () => {
    await open();
    await db.put({ ...(await db.get<Inspection>(inspection._id)), title: 'Roof (office)' });
    await until(() => (one('inspection-title') as HTMLInputElement).value === 'Roof (office)', 'the new version shown');
    expect(one('changed-elsewhere')).toBeUndefined();

    type(one('inspection-title'), 'Roof and gutters');
    await db.put({ ...(await db.get<Inspection>(inspection._id)), site: 'Depot 5' });
    await until(() => !!one('changed-elsewhere'), 'the changed-elsewhere notice');
    expect((one('inspection-title') as HTMLInputElement).value).toBe('Roof and gutters');
  });

  it("lists the inspection's defects and follows new ones", async () => {
    await open();
    expect(all('defect-row').length).toBe(0);
    await TestBed.inject(DefectStoreService).create(inspection._id, { title: 'Leak', severity: 4, status: 'open' });
    await until(() => all('defect-row').length === 1, 'the defect row');
    expect(one('defect-row').textContent).toContain('Leak');
  });

  it('deletes after confirmation', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    await open();
    one('delete-inspection').click();
    await waitFor(() => !!document.querySelector('[data-testid=delete-inspection-confirm]'), 'the confirmation');
    (document.querySelector('[data-testid=delete-inspection-confirm]') as HTMLElement).click();
    await waitFor(() => navigate.calls.count() > 0, 'navigation');
    await expectAsync(db.get(inspection._id)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
  });

  /** A record as another user's device wrote it, arriving here by replication. */
  async function writtenBy<T extends Inspection | Defect>(user: string, doc: T): Promise<T> {
    const { _rev, ...body } = { ...doc, createdBy: user, updatedBy: user };
    return { ...body, _rev: (await db.put<object>(body)).rev } as T;
  }

  it('offers Delete only to whom the rules let delete: not on an inspection a supervisor assigned, but to a supervisor', async () => {
    inspection = await writtenBy('sam', { ...inspection, _id: newDocId('inspection'), assignedTo: 'ana' });
    await open();
    expect(one('save-inspection')).toBeDefined();
    expect(one('delete-inspection')).toBeUndefined();

    sessions.set({ name: 'sam', roles: ['supervisor'], db: ANA.db });
    await until(() => !!one('delete-inspection'), "the supervisor's Delete");
  });

  it('says why a deletion was refused, and deletes nothing', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    const mine = await TestBed.inject(DefectStoreService).create(inspection._id, { title: 'Leak', severity: 4, status: 'open' });
    // Listed after the user's own (by id): a deletion one by one would have deleted that one first.
    const theirs = await writtenBy('sam', { ...mine, _id: `defect:ffffffff-${crypto.randomUUID().slice(9)}`, title: 'Crack' });
    await open();
    await until(() => all('defect-row').length === 2, 'both defects');
    one('delete-inspection').click();
    await waitFor(() => !!document.querySelector('[data-testid=delete-inspection-confirm]'), 'the confirmation');
    (document.querySelector('[data-testid=delete-inspection-confirm]') as HTMLElement).click();
    await until(() => !!one('save-failure'), 'the failure');
    expect(one('save-failure').textContent).toContain('This inspection could not be deleted: only the owner may delete this document.');
    for (const doc of [inspection, mine, theirs]) expect((await db.get(doc._id))._rev).toBe(doc._rev!);
    expect(navigate).not.toHaveBeenCalled();
  });

  it('links to the unsaved new defect only while defects can be added', async () => {
    await TestBed.inject(DraftStore).put(`new-defect:${inspection._id}`, {
      values: { title: 'Crack' },
      inspectionId: inspection._id,
      savedAt: '2026-03-01T08:00:00.000Z',
    });
    await open();
    await until(() => !!one('new-defect-draft'), 'the draft link');
    await db.put({ ...(await db.get<Inspection>(inspection._id)), status: 'submitted' });
    await until(() => one('inspection-status').getAttribute('data-status') === 'submitted', 'the submission to show');
    expect(one('new-defect-draft')).toBeUndefined();
  });
});
