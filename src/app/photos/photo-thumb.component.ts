import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { attachmentUrl } from './attachment-url';

/** A stored thumbnail attachment as a small square image. */
@Component({
  selector: 'app-photo-thumb',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (url(); as src) {
      <img [src]="src" alt="" data-testid="photo-thumb" />
    } @else {
      <span class="placeholder"></span>
    }
  `,
  styles: `
    :host {
      display: block;
      width: var(--thumb-size, 120px);
      height: var(--thumb-size, 120px);
    }
    img,
    .placeholder {
      width: 100%;
      height: 100%;
      object-fit: cover;
      border-radius: 8px;
      display: block;
      background: #eee;
    }
  `,
})
export class PhotoThumbComponent {
  readonly docId = input.required<string>();
  readonly name = input.required<string>();

  protected readonly url = attachmentUrl(computed(() => ({ docId: this.docId(), name: this.name() })));
}
