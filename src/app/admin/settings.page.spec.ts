import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { ArchiveSettingsService } from '../archive/archive-settings.service';
import { waitFor } from '../testing/test-support';
import { SettingsPage } from './settings.page';

describe('SettingsPage', () => {
  let fixture: ComponentFixture<SettingsPage>;
  let http: HttpTestingController;

  beforeEach(async () => {
    localStorage.removeItem('fieldbook.archiveDays');
    TestBed.configureTestingModule({ imports: [SettingsPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SettingsPage);
    await fixture.whenStable();
  });

  afterEach(() => {
    TestBed.inject(MatSnackBar).dismiss();
    fixture.destroy();
    http.verify();
    localStorage.removeItem('fieldbook.archiveDays');
  });

  const el = (id: string) => fixture.nativeElement.querySelector(`[data-testid=${id}]`) as HTMLElement | null;
  const input = () => el('archive-days') as HTMLInputElement;
  const saveButton = () => el('settings-save') as HTMLButtonElement;
  const snackBar = () => document.querySelector('mat-snack-bar-container')?.textContent ?? '';

  async function type(value: string): Promise<void> {
    input().value = value;
    input().dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }

  /** Answers the page's read of the server's settings. */
  async function serverHas(archiveDays: number): Promise<void> {
    http.expectOne({ method: 'GET', url: '/api/settings' }).flush({ archiveDays });
    await waitFor(async () => (await fixture.whenStable(), input().value === String(archiveDays)), 'the server period');
  }

  it("shows the server's period, not this device's cached one", async () => {
    expect(input().value).toBe('30');
    await serverHas(90);
    expect(saveButton().disabled).toBeFalse();
  });

  it('saves a new period for every tablet, and this device follows at once', async () => {
    await serverHas(30);
    await type('45');
    saveButton().click();
    const put = http.expectOne({ method: 'PUT', url: '/api/admin/settings' });
    expect(put.request.body).toEqual({ archiveDays: 45 });
    put.flush({ archiveDays: 45 });
    await waitFor(async () => (await fixture.whenStable(), snackBar().includes('Saved')), 'the snack bar');
    expect(TestBed.inject(ArchiveSettingsService).archiveDays()).toBe(45);
    expect(el('settings-error')).toBeNull();
  });

  it('refuses what the server would refuse, before sending it', async () => {
    await serverHas(30);
    for (const value of ['-1', '2.5', '3651', '']) {
      await type(value);
      expect(saveButton().disabled).withContext(value).toBeTrue();
    }
    await type('0');
    expect(saveButton().disabled).toBeFalse();
  });

  it("says why the server refused, keeping the typed period and this device's own", async () => {
    await serverHas(30);
    await type('7');
    saveButton().click();
    http
      .expectOne({ method: 'PUT', url: '/api/admin/settings' })
      .flush({ error: 'forbidden', reason: 'Only administrators may change the settings.' }, { status: 403, statusText: 'Forbidden' });
    await waitFor(async () => (await fixture.whenStable(), !!el('settings-error')), 'the refusal');
    expect(el('settings-error')!.textContent).toContain(
      'The archive period could not be saved: Only administrators may change the settings.',
    );
    expect(input().value).toBe('7');
    expect(TestBed.inject(ArchiveSettingsService).archiveDays()).toBe(30);
  });

  it('keeps a period saved before the read of the server answered, here and on this device', async () => {
    await serverHas(30);
    fixture.destroy();
    const reads = spyOn(TestBed.inject(ArchiveSettingsService), 'read').and.callThrough();
    fixture = TestBed.createComponent(SettingsPage);
    await fixture.whenStable();
    const read = http.expectOne({ method: 'GET', url: '/api/settings' });
    await type('45');
    saveButton().click();
    http.expectOne({ method: 'PUT', url: '/api/admin/settings' }).flush({ archiveDays: 45 });
    await waitFor(async () => (await fixture.whenStable(), snackBar().includes('Saved')), 'the snack bar');

    // The server answered the read before the save, and the answer arrives after it.
    read.flush({ archiveDays: 30 });
    await reads.calls.mostRecent().returnValue;
    await fixture.whenStable();
    expect(input().value).toBe('45');
    expect(TestBed.inject(ArchiveSettingsService).archiveDays()).toBe(45);
  });

  it("says when the server's period could not be read, showing this device's own", async () => {
    http
      .expectOne({ method: 'GET', url: '/api/settings' })
      .flush(
        { error: 'bad_gateway', reason: 'The database server did not answer with the settings.' },
        { status: 502, statusText: 'Bad Gateway' },
      );
    await waitFor(async () => (await fixture.whenStable(), !!el('settings-error')), 'the failure');
    expect(el('settings-error')!.textContent).toContain(
      'The archive period on the server could not be read: The database server did not answer with the settings.',
    );
    expect(input().value).toBe('30');
  });

  it('keeps what the admin started typing when the server answers late', async () => {
    await type('12');
    http.expectOne({ method: 'GET', url: '/api/settings' }).flush({ archiveDays: 90 });
    await waitFor(() => TestBed.inject(ArchiveSettingsService).archiveDays() === 90, 'the server period read');
    await fixture.whenStable();
    expect(input().value).toBe('12');
  });
});
