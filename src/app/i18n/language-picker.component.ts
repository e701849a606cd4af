import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';
import { LanguageService } from './language.service';
import { LANGUAGES } from './languages';

/** The device's language, each named in its own language; choosing one restarts the app in it. */
@Component({
  selector: 'app-language-picker',
  imports: [MatFormFieldModule, MatSelectModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-form-field appearance="outline" subscriptSizing="dynamic">
      <mat-label i18n="@@language.label">Language</mat-label>
      <mat-select data-testid="language-picker" [value]="current" (selectionChange)="language.choose($event.value)">
        @for (option of languages; track option.code) {
          <mat-option [value]="option.code" [attr.lang]="option.code" [attr.data-testid]="'language-' + option.code">{{
            option.name
          }}</mat-option>
        }
      </mat-select>
    </mat-form-field>
  `,
  styles: `
    mat-form-field {
      min-width: 12em;
    }
  `,
})
export class LanguagePickerComponent {
  protected readonly language = inject(LanguageService);
  protected readonly languages = LANGUAGES;
  protected readonly current = this.language.current;
}
