import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Inspection } from '../../../domain/doc-types';
import { LocalDbService } from '../core/local-db.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { WorkspaceService } from '../core/workspace.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { DraftStore } from '../drafts/draft-store.service';
import { InspectionNewPage } from '../inspections/inspection-new.page';
import { ANA, FakeSessions, fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { LogoutService } from './logout.service';

describe('LogoutService', () => {
  let sessions: FakeSessions;
  let prefix: string;

  beforeEach(async () => {
    sessions = fakeSessions();
    prefix = `test-${crypto.randomUUID().slice(0, 8)}-`;
    TestBed.configureTestingModule({ providers: [...provideTestData(sessions, prefix), provideRouter([])] });
    spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    await TestBed.inject(WorkspaceService).open(ANA);
  });

  afterEach(async () => {
    await TestBed.inject(WorkspaceService).close(true);
    document.querySelectorAll('.cdk-overlay-container').forEach((element) => (element.innerHTML = ''));
  });

  async function localDbExists(): Promise<boolean> {
    return (await indexedDB.databases()).some((db) => db.name?.includes(prefix + ANA.db));
  }

  function dialogButton(id: string): HTMLElement | null {
    return document.querySelector(`[data-testid=${id}]`);
  }

  it('destroys the local database right away when everything is synced', async () => {
    expect(await localDbExists()).toBeTrue();
    expect(await TestBed.inject(LogoutService).logout()).toBeTrue();
    expect(sessions.logout).toHaveBeenCalled();
    expect(TestBed.inject(LocalDbService).db()).toBeNull();
    expect(await localDbExists()).toBeFalse();
  });

  it('says how many changes are unsynced and keeps everything when the user stays', async () => {
    const store = TestBed.inject(InspectionStoreService);
    await store.create({ title: 'One', site: 'A', scheduledFor: '2026-03-02' });
    const two: Inspection = await store.create({ title: 'Two', site: 'A', scheduledFor: '2026-03-02' });
    await waitFor(() => TestBed.inject(PushLedgerService).unsyncedCount() === 2, 'two unsynced');

    const result = TestBed.inject(LogoutService).logout();
    await waitFor(() => !!dialogButton('logout-cancel'), 'the confirmation');
    expect(dialogButton('logout-message')!.textContent).toContain('2 changes have not reached the server');
    dialogButton('logout-cancel')!.click();
    expect(await result).toBeFalse();
    expect(sessions.logout).not.toHaveBeenCalled();
    expect((await TestBed.inject(LocalDbService).require().get<Inspection>(two._id)).title).toBe('Two');
  });

  it('counts unsynced changes also when asked while the workspace is still opening (right after a start)', async () => {
    const workspace = TestBed.inject(WorkspaceService);
    await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    await waitFor(() => TestBed.inject(PushLedgerService).unsyncedCount() === 1, 'the change counted');
    // A reload: the workspace closes keeping the data, and opens again while the user taps Log out.
    await workspace.close(false);
    const opening = workspace.open(ANA);
    const result = TestBed.inject(LogoutService).logout();
    await waitFor(() => !!dialogButton('logout-cancel'), 'the confirmation');
    expect(dialogButton('logout-message')!.textContent).toContain('1 change has not reached the server');
    dialogButton('logout-cancel')!.click();
    expect(await result).toBeFalse();
    await opening;
    expect(await localDbExists()).toBeTrue();
  });

  it('says unsaved drafts would go too, and keeps them when the user stays', async () => {
    const drafts = TestBed.inject(DraftStore);
    await drafts.put('inspection:1', { values: { notes: 'Ladder' }, inspectionId: 'inspection:1', savedAt: '2026-03-01T08:00:00.000Z' });
    const result = TestBed.inject(LogoutService).logout();
    await waitFor(() => !!dialogButton('logout-cancel'), 'the confirmation');
    expect(dialogButton('logout-message')!.textContent).toContain('1 form has unsaved edits, kept as a draft on this device.');
    expect(dialogButton('logout-message')!.textContent).not.toContain('reached the server');
    dialogButton('logout-cancel')!.click();
    expect(await result).toBeFalse();
    expect(await drafts.get('inspection:1')).not.toBeNull();
  });

  it('counts what was just typed on a form as a draft, the pause in typing not over yet', async () => {
    const form = TestBed.createComponent(InspectionNewPage);
    await form.whenStable();
    const title = form.nativeElement.querySelector('[data-testid="inspection-title"]') as HTMLInputElement;
    title.value = 'Boiler room';
    title.dispatchEvent(new Event('input'));
    const result = TestBed.inject(LogoutService).logout();
    await waitFor(() => !!dialogButton('logout-cancel'), 'the confirmation');
    expect(dialogButton('logout-message')!.textContent).toContain('1 form has unsaved edits, kept as a draft on this device.');
    dialogButton('logout-cancel')!.click();
    expect(await result).toBeFalse();
    expect((await TestBed.inject(DraftStore).get('new-inspection'))?.values['title']).toBe('Boiler room');
    form.destroy();
  });

  it('deletes unsynced changes only after confirmation', async () => {
    await TestBed.inject(InspectionStoreService).create({ title: 'One', site: 'A', scheduledFor: '2026-03-02' });
    await waitFor(() => TestBed.inject(PushLedgerService).unsyncedCount() === 1, 'one unsynced');
    const result = TestBed.inject(LogoutService).logout();
    await waitFor(() => !!dialogButton('logout-confirm'), 'the confirmation');
    expect(dialogButton('logout-message')!.textContent).toContain('1 change has not reached the server');
    dialogButton('logout-confirm')!.click();
    expect(await result).toBeTrue();
    expect(await localDbExists()).toBeFalse();
  });
});
