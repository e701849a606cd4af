import { Component, Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { CanDeactivateFn, provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { InspectionStoreService } from '../data/inspection-store.service';
import { DefectEditPage } from '../defects/defect-edit.page';
import { attachSyncTracking } from './sync-tracking';
import { ANA, fakeSessions, provideTestData } from './test-support';

@Component({ template: '' })
class InspectionStub {}

/**
 * Ana's database with one open inspection, and the defect page on the app's routes (a new
 * defect leaving through `leaveGuard`), for specs that drive it through the router; `providers`
 * besides.
 */
export async function setUpDefectPage(
  leaveGuard?: CanDeactivateFn<DefectEditPage>,
  providers: Provider[] = [],
): Promise<{ db: Database; inspectionId: string; harness: RouterTestingHarness }> {
  TestBed.configureTestingModule({
    providers: [
      ...provideTestData(fakeSessions()),
      ...providers,
      provideRouter(
        [
          { path: 'inspections/:id', component: InspectionStub },
          { path: 'inspections/:id/defects/new', component: DefectEditPage, canDeactivate: leaveGuard ? [leaveGuard] : [] },
          { path: 'inspections/:id/defects/:defectId', component: DefectEditPage },
        ],
        withComponentInputBinding(),
      ),
    ],
  });
  const db = await TestBed.inject(LocalDbService).open(ANA.db);
  await attachSyncTracking(db);
  const inspection = await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
  return { db, inspectionId: inspection._id, harness: await RouterTestingHarness.create() };
}
