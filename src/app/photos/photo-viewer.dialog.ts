import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { ATTACHMENT_SOURCE } from './attachment-url';
import { PhotoUnavailableError } from './photo-cache.service';

export interface PhotoViewerData {
  docId: string;
  name: string;
}

type ViewerState = { kind: 'loading' } | { kind: 'shown'; url: string } | { kind: 'unavailable'; message: string };

/**
 * A photo at full stored size, from the ATTACHMENT_SOURCE: this device's copy (so it works
 * offline), or downloaded while a progress bar runs; offline, a message says why it is not there.
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
            <mat-progress-bar mode="indeterminate" />
            <p i18n="@@photo.loading">Loading the full-size photo…</p>
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
  protected readonly state = signal<ViewerState>({ kind: 'loading' });
  protected readonly url = computed(() => (this.state() as { url?: string }).url ?? '');
  protected readonly message = computed(() => (this.state() as { message?: string }).message ?? '');

  constructor() {
    const { docId, name } = inject<PhotoViewerData>(MAT_DIALOG_DATA);
    let url: string | null = null;
    let closed = false;
    inject(DestroyRef).onDestroy(() => {
      closed = true;
      if (url) URL.revokeObjectURL(url);
    });
    inject(ATTACHMENT_SOURCE)(docId, name).then(
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
  if (error instanceof PhotoUnavailableError && error.reason === 'offline')
    return $localize`:@@photo.offline:This photo is not on this device. Connect to the network to download it.`;
  if (error instanceof PhotoUnavailableError)
    return $localize`:@@photo.missing:This photo has not reached the server yet: it arrives once the tablet that took it syncs.`;
  return $localize`:@@photo.failed:The photo could not be loaded.`;
}
