import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { SwUpdate, VersionEvent } from '@angular/service-worker';
import { Subject } from 'rxjs';
import { waitFor } from '../testing/test-support';
import { UpdatePromptService } from './update-prompt.service';

describe('UpdatePromptService', () => {
  let versionUpdates: Subject<VersionEvent>;

  beforeEach(() => {
    versionUpdates = new Subject();
    TestBed.configureTestingModule({
      providers: [{ provide: SwUpdate, useValue: { isEnabled: true, versionUpdates, unrecoverable: new Subject() } }],
    });
    TestBed.inject(UpdatePromptService).watch();
  });

  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((element) => (element.innerHTML = ''));
  });

  const snackBarText = () => document.querySelector('.mat-mdc-snack-bar-container')?.textContent ?? '';

  it('offers a reload once a new version is ready, not while it downloads', async () => {
    const open = spyOn(TestBed.inject(MatSnackBar), 'open').and.callThrough();
    const version = { hash: 'a' };
    versionUpdates.next({ type: 'VERSION_DETECTED', version });
    versionUpdates.next({ type: 'VERSION_READY', currentVersion: version, latestVersion: { hash: 'b' } });
    await waitFor(() => snackBarText().includes('An update is available.'), 'the prompt');
    expect(snackBarText()).toContain('Reload');
    // The download before it opened nothing: one prompt, the ready version's.
    expect(open).toHaveBeenCalledOnceWith('An update is available.', 'Reload');
  });

  it('keeps the offer once a later notice takes the prompt away', async () => {
    const prompt = TestBed.inject(UpdatePromptService);
    expect(prompt.ready()).toBeFalse();
    versionUpdates.next({ type: 'VERSION_READY', currentVersion: { hash: 'a' }, latestVersion: { hash: 'b' } });
    await waitFor(() => snackBarText().includes('An update is available.'), 'the prompt');
    TestBed.inject(MatSnackBar).open('Your edits are kept as a draft on this device.', 'OK');
    await waitFor(() => !snackBarText().includes('An update is available.'), 'the later notice');
    expect(prompt.ready()).toBeTrue();
  });
});
