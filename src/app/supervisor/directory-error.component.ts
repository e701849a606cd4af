import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { DirectoryState } from './directory-state';

/** Says why the directory could not be loaded, with "Try again"; nothing while it could. */
@Component({
  selector: 'app-directory-error',
  imports: [MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (state().error(); as text) {
      <p class="error" role="alert" data-testid="directory-error">
        {{ text }}
        <button mat-button type="button" data-testid="directory-retry" (click)="state().load()" i18n="@@supervisor.directoryRetry">
          Try again
        </button>
      </p>
    }
  `,
})
export class DirectoryErrorComponent {
  readonly state = input.required<DirectoryState>();
}
