import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { StorageReport, StorageService } from '../core/storage.service';
import { waitFor } from '../testing/test-support';
import { StorageWarningComponent } from './storage-warning.component';
import { StorageWarningService } from './storage-warning.service';

@Component({ template: '<app-storage-warning /><p>page</p>', imports: [StorageWarningComponent] })
class PageWithNotice {}

describe('StorageWarningComponent', () => {
  let report: StorageReport;
  let harness: RouterTestingHarness;
  let warning: StorageWarningService;

  beforeEach(async () => {
    report = { usage: 850, quota: 1000, persisted: true };
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'inspections', component: PageWithNotice },
          { path: 'storage', component: PageWithNotice },
        ]),
        { provide: StorageService, useValue: { report: () => Promise.resolve(report) } },
      ],
    });
    warning = TestBed.inject(StorageWarningService);
    harness = await RouterTestingHarness.create();
  });

  const notice = () => harness.routeNativeElement?.querySelector('[data-testid="storage-nearly-full"]') as HTMLElement | null;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await harness.fixture.whenStable();
      return condition();
    }, what);
  }

  it('says on every page that the storage is nearly full, with a link to free space; not on the Storage page, which says it itself', async () => {
    warning.watch();
    await harness.navigateByUrl('/inspections');
    await until(() => !!notice(), 'the notice');
    expect(notice()!.textContent).toContain('almost full (85% used)');
    expect(notice()!.querySelector('a')!.getAttribute('href')).toBe('/storage');

    await harness.navigateByUrl('/storage');
    await until(() => !notice(), 'no notice on the Storage page');
  });

  it('goes once space is freed, and says nothing below 80 %', async () => {
    await warning.look();
    await harness.navigateByUrl('/inspections');
    await until(() => !!notice(), 'the notice');

    report = { usage: 790, quota: 1000, persisted: true };
    await warning.look();
    await until(() => !notice(), 'the notice gone');
  });

  it('says nothing when the browser does not report its storage, or reading it fails', async () => {
    report = { usage: null, quota: null, persisted: false };
    await warning.look();
    expect(warning.nearlyFull()).toBeNull();
    spyOn(TestBed.inject(StorageService), 'report').and.rejectWith(new Error('estimate failed'));
    await expectAsync(warning.look()).toBeResolved();
    expect(warning.nearlyFull()).toBeNull();
  });
});
