import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { formatBytes } from '../core/storage.service';
import { DownloadProgress } from './attachment-download';
import { ATTACHMENT_SOURCE } from './attachment-url';
import { PhotoUnavailableError } from './photo-unavailable';

export interface PhotoViewerData {
  docId: string;
  name: string;
}

type ViewerState =
  { kind: 'loading'; progress: DownloadProgress | null } | { kind: 'shown'; url: string } | { kind: 'unavailable'; message: string };

/**
 * A photo at full stored size, from the ATTACHMENT_SOURCE: this device's copy (so it works
 * offline), or downloaded while a progress bar says how much has come (a full-size photo over a
 * weak mobile connection takes a while); offline, a message says why it is not there.
 */
@Component({
  selector: 'app-photo-viewer-dialog',
  imports: [MatDialogModule, MatButtonModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-dialog-content class="viewer">
      @switch (state().kind) {
        @case ('loading') {
          <div class="loading" data-testid="photo-loading">
            <mat-progress-bar [mode]="percent() === null ? 'indeterminate' : 'determinate'" [value]="percent() ?? 0" />
            <p i18n="@@photo.loading">Loading the full-size photo…</p>
            @if (progress(); as progress) {
              @if (progress.total) {
                <p data-testid="photo-progress" i18n="@@photo.progressOf">{{ bytes(progress.loaded) }} of {{ bytes(progress.total) }}</p>
              } @else {
                <p data-testid="photo-progress" i18n="@@photo.progress">{{ bytes(progress.loaded) }} received</p>
              }
            }
          </div>
        }
        @case ('shown') {
          <img [src]="url()" alt="Defect photo" i18n-alt="@@photo.alt" data-testid="photo-full" />
        }
        @case ('unavailable') {
          <p role="alert" data-testid="photo-unavailable">{{ message() }}</p>
        }
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button mat-dialog-close i18n="@@common.close">Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    .viewer {
      display: flex;
      justify-content: center;
      max-height: 80vh;
    }
    .loading {
      min-width: 240px;
    }
    img {
      max-width: 100%;
      max-height: 75vh;
      object-fit: contain;
    }
  `,
})
export class PhotoViewerDialog {
  protected readonly state = signal<ViewerState>({ kind: 'loading', progress: null });
  protected readonly url = computed(() => (this.state() as { url?: string }).url ?? '');
  protected readonly message = computed(() => (this.state() as { message?: string }).message ?? '');
  protected readonly progress = computed(() => (this.state() as { progress?: DownloadProgress | null }).progress ?? null);
  protected readonly percent = computed(() => {
    const progress = this.progress();
    return progress?.total ? Math.min(100, Math.round((progress.loaded / progress.total) * 100)) : null;
  });
  protected readonly bytes = formatBytes;

  constructor() {
    const { docId, name } = inject<PhotoViewerData>(MAT_DIALOG_DATA);
    let url: string | null = null;
    let closed = false;
    inject(DestroyRef).onDestroy(() => {
      closed = true;
      if (url) URL.revokeObjectURL(url);
    });
    const onProgress = (progress: DownloadProgress) =>
      !closed && this.state().kind === 'loading' && this.state.set({ kind: 'loading', progress });
    inject(ATTACHMENT_SOURCE)(docId, name, onProgress).then(
      (blob) => {
        if (closed) return;
        url = URL.createObjectURL(blob);
        this.state.set({ kind: 'shown', url });
      },
      (error: unknown) => !closed && this.state.set({ kind: 'unavailable', message: unavailableMessage(error) }),
    );
  }
}

function unavailableMessage(error: unknown): string {
  if (!(error instanceof PhotoUnavailableError)) return $localize`:@@photo.failed:The photo could not be loaded.`;
  switch (error.reason) {
    case 'offline':
      return $localize`:@@photo.offline:This photo is not on this device. Connect to the network to download it.`;
    case 'signedOut':
      return $localize`:@@photo.signedOut:Your session has expired. Sign in again to download this photo.`;
    case 'refused':
      return $localize`:@@photo.refused:The server refused this photo to your account.`;
    // Deleted on the server: unlike a missing one, waiting for a sync will not bring it.
    case 'deleted':
      return $localize`:@@photo.deleted:This photo was removed.`;
    case 'missing':
      return $localize`:@@photo.missing:This photo has not reached the server yet: it arrives once the tablet that took it syncs.`;
  }
}
