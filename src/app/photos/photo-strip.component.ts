import { ChangeDetectionStrategy, Component, Injector, inject, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { PhotoRef } from '../data/defect-store.service';
import { PhotoThumbComponent } from './photo-thumb.component';
import { PhotoViewerData, PhotoViewerDialog } from './photo-viewer.dialog';

/** A photo picked but not saved yet: shown from its own object URL. */
export interface PendingPhoto {
  key: string;
  url: string;
  /** Not kept on the device (its draft had no room): only this page holds it. */
  notKept?: boolean;
}

/**
 * Thumbnails of a defect's photos, a camera button, and full view on tap; photos picked before
 * the defect's first save (`pending`) follow, marked as not saved yet.
 */
@Component({
  selector: 'app-photo-strip',
  imports: [MatButtonModule, MatProgressSpinnerModule, PhotoThumbComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="strip">
      @for (ref of photos(); track ref.thumb) {
        <figure>
          <button type="button" class="thumb" (click)="open(ref)" [attr.aria-label]="openLabel($index + 1)">
            <app-photo-thumb [docId]="docId()!" [name]="ref.thumb" />
          </button>
          @if (!readonly()) {
            <button
              mat-button
              type="button"
              data-testid="remove-photo"
              (click)="remove.emit(ref)"
              [disabled]="busy()"
              i18n="@@photo.remove"
            >
              Remove
            </button>
          }
        </figure>
      }
      @for (photo of pending(); track photo.key) {
        <figure data-testid="pending-photo">
          <img class="preview" [src]="photo.url" alt="" data-testid="photo-thumb" />
          @if (photo.notKept) {
            <figcaption class="not-kept" data-testid="photo-not-kept" i18n="@@photo.pendingNotKept">Not kept on this device</figcaption>
          } @else {
            <figcaption i18n="@@photo.pending">Saved with the defect</figcaption>
          }
          <button mat-button type="button" data-testid="remove-photo" (click)="removePending.emit(photo)" i18n="@@photo.remove">
            Remove
          </button>
        </figure>
      }
      @if (!readonly()) {
        <label class="camera" [class.busy]="busy()">
          <input
            #file
            type="file"
            accept="image/*"
            capture="environment"
            data-testid="photo-input"
            (change)="picked(file)"
            [disabled]="busy()"
          />
          @if (busy()) {
            <mat-spinner diameter="32" />
          } @else {
            <span i18n="@@photo.add">+ Add photo</span>
          }
        </label>
      }
    </div>
  `,
  styles: `
    .strip {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: flex-start;
    }
    figure {
      margin: 0;
      display: flex;
      flex-direction: column;
      align-items: center;
    }
    .thumb {
      padding: 0;
      border: 0;
      background: none;
      cursor: pointer;
    }
    .preview {
      width: 120px;
      height: 120px;
      object-fit: cover;
      border-radius: 8px;
      display: block;
      background: #eee;
    }
    figcaption {
      font-size: 12px;
      color: #5f6368;
      margin-top: 4px;
    }
    figcaption.not-kept {
      color: #b3261e;
    }
    .camera {
      width: 120px;
      height: 120px;
      border: 2px dashed #9e9e9e;
      border-radius: 8px;
      display: flex;
      align-items: center;
      justify-content: center;
      cursor: pointer;
      color: #5f6368;
    }
    .camera input {
      position: absolute;
      opacity: 0;
      width: 1px;
      height: 1px;
    }
  `,
})
export class PhotoStripComponent {
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);

  /** The defect the stored photos belong to; none before its first save. */
  readonly docId = input<string>();
  readonly photos = input<PhotoRef[]>([]);
  readonly pending = input<readonly PendingPhoto[]>([]);
  readonly readonly = input(false);
  /** Set while the parent writes the defect (a picked image, a removal, the form): a stored photo's change waits for it. */
  readonly busy = input(false);
  readonly add = output<File>();
  readonly remove = output<PhotoRef>();
  readonly removePending = output<PendingPhoto>();

  protected picked(input: HTMLInputElement): void {
    const file = input.files?.[0];
    // Reset so picking the same file again still fires `change`.
    input.value = '';
    if (file) this.add.emit(file);
  }

  protected openLabel(position: number): string {
    return $localize`:@@photo.open:Open photo ${position}:number:`;
  }

  protected open(ref: PhotoRef): void {
    this.dialog.open<PhotoViewerDialog, PhotoViewerData>(PhotoViewerDialog, {
      data: ref.full,
      maxWidth: '95vw',
      // The viewer reads the photo from where the strip's page does (ATTACHMENT_SOURCE).
      injector: this.injector,
    });
  }
}
