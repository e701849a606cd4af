import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';

/** A version's way out of a conflict, in its column head: keep it whole, or, a deletion, delete the document. */
@Component({
  selector: 'app-keep-version-button',
  imports: [MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button
      mat-stroked-button
      type="button"
      data-testid="keep-version"
      [attr.data-rev]="rev()"
      [disabled]="disabled()"
      (click)="keep.emit()"
    >
      @if (deleted()) {
        <ng-container i18n="@@conflict.delete">Delete the document</ng-container>
      } @else {
        <ng-container i18n="@@conflict.keep">Keep this version</ng-container>
      }
    </button>
  `,
})
export class KeepVersionButtonComponent {
  readonly rev = input.required<string>();
  readonly deleted = input(false);
  readonly disabled = input(false);
  readonly keep = output<void>();
}
