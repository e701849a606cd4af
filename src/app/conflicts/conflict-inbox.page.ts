import { ChangeDetectionStrategy, Component } from '@angular/core';

/** Placeholder until the conflict inbox (owned by another engineer) lands here. */
@Component({
  selector: 'app-conflict-inbox-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>Conflicts</h1><p>The conflict inbox is not available yet.</p>`,
  styles: `:host { display: block; padding: 16px; }`,
})
export class ConflictInboxPage {}
