import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import { InspectionStoreService, today } from '../data/inspection-store.service';
import { FieldErrors, ValidationError } from '../data/validation-bridge';
import { FieldErrorComponent } from '../shared/field-error.component';

@Component({
  selector: 'app-inspection-new-page',
  imports: [ReactiveFormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, FieldErrorComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>New inspection</h1>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-form-field appearance="outline">
        <mat-label>Title</mat-label>
        <input matInput formControlName="title" data-testid="inspection-title" />
      </mat-form-field>
      <app-field-error field="title" [errors]="errors()" />
      <mat-form-field appearance="outline">
        <mat-label>Site</mat-label>
        <input matInput formControlName="site" data-testid="inspection-site" />
      </mat-form-field>
      <app-field-error field="site" [errors]="errors()" />
      <mat-form-field appearance="outline">
        <mat-label>Scheduled for</mat-label>
        <input matInput type="date" formControlName="scheduledFor" data-testid="inspection-scheduled" />
      </mat-form-field>
      <app-field-error field="scheduledFor" [errors]="errors()" />
      <div class="actions">
        <a mat-button routerLink="/inspections">Cancel</a>
        <button mat-flat-button type="submit" data-testid="save-inspection" [disabled]="saving()">Save</button>
      </div>
    </form>
  `,
  styles: `
    :host { display: block; padding: 16px; max-width: 720px; margin: 0 auto; }
    form { display: flex; flex-direction: column; }
    .actions { display: flex; justify-content: flex-end; gap: 12px; margin-top: 16px; }
  `,
})
export class InspectionNewPage {
  private readonly store = inject(InspectionStoreService);
  private readonly router = inject(Router);

  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true }),
    site: new FormControl('', { nonNullable: true }),
    scheduledFor: new FormControl(today(), { nonNullable: true }),
  });
  protected readonly errors = signal<FieldErrors>({});
  protected readonly saving = signal(false);

  protected async save(): Promise<void> {
    this.saving.set(true);
    try {
      await this.store.create(this.form.getRawValue());
      await this.router.navigateByUrl('/inspections');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.errors.set(error.errors);
    } finally {
      this.saving.set(false);
    }
  }
}
