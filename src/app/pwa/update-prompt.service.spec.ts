import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { SwUpdate, UnrecoverableStateEvent, VersionEvent } from '@angular/service-worker';
import { Subject } from 'rxjs';
import { DraftStore } from '../drafts/draft-store.service';
import { fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { RELOAD_PAGE } from './reload-page';
import { UpdatePromptService } from './update-prompt.service';

describe('UpdatePromptService', () => {
  let versionUpdates: Subject<VersionEvent>;
  let unrecoverable: Subject<UnrecoverableStateEvent>;
  let checkForUpdate: jasmine.Spy<() => Promise<boolean>>;
  let reload: jasmine.Spy<() => void>;

  beforeEach(() => {
    versionUpdates = new Subject();
    unrecoverable = new Subject();
    checkForUpdate = jasmine.createSpy('checkForUpdate').and.resolveTo(false);
    reload = jasmine.createSpy('reload');
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions()),
        { provide: SwUpdate, useValue: { isEnabled: true, versionUpdates, unrecoverable, checkForUpdate } },
        { provide: RELOAD_PAGE, useValue: reload },
      ],
    });
    TestBed.inject(UpdatePromptService).watch();
  });

  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((element) => (element.innerHTML = ''));
  });

  const snackBarText = () => document.querySelector('.mat-mdc-snack-bar-container')?.textContent ?? '';
  const versionReady = () => versionUpdates.next({ type: 'VERSION_READY', currentVersion: { hash: 'a' }, latestVersion: { hash: 'b' } });

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
    versionReady();
    await waitFor(() => snackBarText().includes('An update is available.'), 'the prompt');
    TestBed.inject(MatSnackBar).open('Your edits are kept as a draft on this device.', 'OK');
    await waitFor(() => !snackBarText().includes('An update is available.'), 'the later notice');
    expect(prompt.ready()).toBeTrue();
  });

  /**
   * Runs `trigger` while a form holds typing not written yet (typing has not paused), and
   * expects the page to reload only once that typing is written.
   */
  async function expectTypingWrittenBeforeReload(trigger: () => void | Promise<void>): Promise<void> {
    let finishWrite: (() => void) | undefined;
    TestBed.inject(DraftStore).holdTyping(() => new Promise<void>((written) => (finishWrite = written)));
    await trigger();
    await waitFor(() => !!finishWrite || reload.calls.any(), 'the typing written or the page reloaded');
    expect(reload).withContext('the page reloaded with the typing not written').not.toHaveBeenCalled();
    finishWrite!();
    await waitFor(() => reload.calls.count() === 1, 'the reload once the typing is written');
  }

  it('writes what a form has typed before the page reloads for the update', async () => {
    await expectTypingWrittenBeforeReload(async () => {
      versionReady();
      await waitFor(() => snackBarText().includes('An update is available.'), 'the prompt');
      document.querySelector<HTMLButtonElement>('.mat-mdc-snack-bar-container button')!.click();
    });
  });

  it('writes what a form has typed before the page reloads for a broken version', async () => {
    await expectTypingWrittenBeforeReload(() =>
      unrecoverable.next({ type: 'UNRECOVERABLE_STATE', reason: 'Failed to retrieve hashed resource from the server.' }),
    );
  });

  it('looks for a new version when the tablet is back online, and when the app is back on screen', () => {
    expect(checkForUpdate).not.toHaveBeenCalled();
    window.dispatchEvent(new Event('online'));
    expect(checkForUpdate).toHaveBeenCalledTimes(1);
    const hidden = spyOnProperty(document, 'hidden').and.returnValue(true);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(checkForUpdate).toHaveBeenCalledTimes(1);
    hidden.and.returnValue(false);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(checkForUpdate).toHaveBeenCalledTimes(2);
  });
});
