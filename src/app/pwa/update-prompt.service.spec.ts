import { TestBed } from '@angular/core/testing';
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
    const version = { hash: 'a' };
    versionUpdates.next({ type: 'VERSION_DETECTED', version });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(snackBarText()).toBe('');

    versionUpdates.next({ type: 'VERSION_READY', currentVersion: version, latestVersion: { hash: 'b' } });
    await waitFor(() => snackBarText().includes('An update is available.'), 'the prompt');
    expect(snackBarText()).toContain('Reload');
  });
});
