import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { InspectionNewPage } from '../inspections/inspection-new.page';
import { refuseEveryWrite } from '../testing/refuse-every-write';
import { saveInspection } from '../testing/save-inspection';
import { endSyncTracking, openTrackedDb } from '../testing/sync-tracking';
import { requestsFinished, waitFor } from '../testing/test-support';

/** A device whose storage is full refuses every local write: each one fails, none hangs, nothing typed is lost. */
describe('every local write refused (full storage)', () => {
  let db: Database;

  beforeEach(async () => {
    db = await openTrackedDb([provideRouter([])]);
  });

  afterEach(async () => {
    TestBed.resetTestingModule();
    await endSyncTracking(db);
  });

  describe('a new inspection', () => {
    let fixture: ComponentFixture<InspectionNewPage>;
    const one = (id: string) => fixture.nativeElement.querySelector(`[data-testid=${id}]`) as HTMLInputElement | null;

    function type(id: string, value: string): void {
      one(id)!.value = value;
      one(id)!.dispatchEvent(new Event('input'));
    }

    it('says the storage is full, keeps what was typed and leaves no write hanging', async () => {
      const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
      fixture = TestBed.createComponent(InspectionNewPage);
      await fixture.whenStable();
      refuseEveryWrite(db);
      spyOn(navigator.storage, 'estimate').and.resolveTo({ usage: 995, quota: 1000 });
      type('inspection-title', 'Roof');
      type('inspection-site', 'Depot 4');
      one('save-inspection')!.click();
      await waitFor(async () => {
        await fixture.whenStable();
        return !!one('save-failure');
      }, 'the failure');
      expect(one('save-failure')!.textContent).toContain('The storage of this device is full');
      expect(one('inspection-title')!.value).toBe('Roof');
      expect((one('save-inspection') as unknown as HTMLButtonElement).disabled).toBeFalse();
      expect(navigate).not.toHaveBeenCalled();
      // The draft's write (refused too) settles: nothing is left waiting on the database.
      await requestsFinished(db);
    });
  });

  describe('the push ledger', () => {
    it('keeps a push checkpoint and a refusal it cannot store, without rejecting (the replication does not wait for them)', async () => {
      const ledger = TestBed.inject(PushLedgerService);
      const refused = await saveInspection('Refused');
      await saveInspection('Pushed');
      refuseEveryWrite(db);
      await expectAsync(ledger.pushCheckpoint(Number((await db.info()).update_seq))).toBeResolved();
      await expectAsync(ledger.rejected(refused._id, 'site: must be a real site')).toBeResolved();
      expect(ledger.pendingCount()).toBe(0);
      expect(ledger.rejectedCount()).toBe(1);
    });
  });
});
