import { TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA } from '@angular/material/dialog';
import { DownloadProgress } from './attachment-download';
import { ATTACHMENT_SOURCE, AttachmentReader } from './attachment-url';
import { PhotoUnavailableError } from './photo-unavailable';
import { PhotoViewerDialog } from './photo-viewer.dialog';

describe('PhotoViewerDialog', () => {
  let report: (progress: DownloadProgress) => void;
  let finish: (blob: Blob) => void;
  let refuse: (error: unknown) => void;
  let download: Promise<Blob>;

  beforeEach(() => {
    // A download the test drives: its progress, then its end.
    const source: AttachmentReader = (_docId, _name, onProgress) =>
      (download = new Promise<Blob>((resolve, reject) => {
        report = (progress) => onProgress?.(progress);
        finish = resolve;
        refuse = reject;
      }));
    TestBed.configureTestingModule({
      providers: [
        { provide: MAT_DIALOG_DATA, useValue: { docId: 'photo:1', name: 'full' } },
        { provide: ATTACHMENT_SOURCE, useValue: source },
      ],
    });
  });

  it('says how much of a downloading photo has come, then shows it', async () => {
    const fixture = TestBed.createComponent(PhotoViewerDialog);
    const element: HTMLElement = fixture.nativeElement;
    await fixture.whenStable();
    expect(element.querySelector('mat-progress-bar')!.getAttribute('mode')).toBe('indeterminate');
    expect(element.querySelector('[data-testid="photo-progress"]')).toBeNull();

    report({ loaded: 512 * 1024, total: 2 * 1024 * 1024 });
    await fixture.whenStable();
    expect(element.querySelector('[data-testid="photo-progress"]')!.textContent!.trim()).toBe('512 kB of 2.0 MB');
    expect(element.querySelector('mat-progress-bar')!.getAttribute('aria-valuenow')).toBe('25');

    report({ loaded: 3 * 1024 * 1024, total: null });
    await fixture.whenStable();
    expect(element.querySelector('[data-testid="photo-progress"]')!.textContent!.trim()).toBe('3.0 MB received');
    expect(element.querySelector('mat-progress-bar')!.getAttribute('mode')).toBe('indeterminate');

    finish(new Blob([new Uint8Array(8)], { type: 'image/jpeg' }));
    // After the dialog's own callback, which was attached first.
    await download;
    await fixture.whenStable();
    expect(element.querySelector('[data-testid="photo-full"]')).not.toBeNull();
    expect(element.querySelector('[data-testid="photo-loading"]')).toBeNull();
  });

  for (const [reason, message] of [
    ['signedOut', 'Your session has expired. Sign in again to download this photo.'],
    ['refused', 'The server refused this photo to your account.'],
  ] as const) {
    it(`says why the server refused a photo (${reason}), not that the tablet is offline`, async () => {
      const fixture = TestBed.createComponent(PhotoViewerDialog);
      const element: HTMLElement = fixture.nativeElement;
      await fixture.whenStable();

      refuse(new PhotoUnavailableError(reason));
      await download.catch(() => undefined);
      await fixture.whenStable();
      expect(element.querySelector('[data-testid="photo-unavailable"]')!.textContent!.trim()).toBe(message);
    });
  }

  it('says a photo deleted on the server was removed, not that it is still to come', async () => {
    const fixture = TestBed.createComponent(PhotoViewerDialog);
    const element: HTMLElement = fixture.nativeElement;
    await fixture.whenStable();

    refuse(new PhotoUnavailableError('deleted'));
    await download.catch(() => undefined);
    await fixture.whenStable();
    const message = element.querySelector('[data-testid="photo-unavailable"]')!;
    expect(message.getAttribute('role')).toBe('alert');
    expect(message.textContent!.trim()).toBe('This photo was removed.');
  });
});
