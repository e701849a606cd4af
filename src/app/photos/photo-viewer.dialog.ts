import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { attachmentUrl } from './attachment-url';

export interface PhotoViewerData {
  docId: string;
  name: string;
}

/** A photo at full stored size, read from the local database (so it works offline). */
@Component({
  selector: 'app-photo-viewer-dialog',
  imports: [MatDialogModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-dialog-content class="viewer">
      @if (url(); as src) {
        <img [src]="src" alt="Defect photo" i18n-alt="@@photo.alt" data-testid="photo-full" />
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
    img {
      max-width: 100%;
      max-height: 75vh;
      object-fit: contain;
    }
  `,
})
export class PhotoViewerDialog {
  protected readonly url = attachmentUrl(signal(inject<PhotoViewerData>(MAT_DIALOG_DATA)));
}
