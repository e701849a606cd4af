import { FormArray, FormControl, FormGroup } from '@angular/forms';
import { ChecklistItem, ChecklistResult } from '../../../domain/doc-types';

export type ChecklistItemForm = FormGroup<{
  id: FormControl<string>;
  label: FormControl<string>;
  result: FormControl<ChecklistResult>;
  note: FormControl<string>;
}>;

export function checklistItemForm(item: ChecklistItem): ChecklistItemForm {
  return new FormGroup({
    id: new FormControl(item.id, { nonNullable: true }),
    label: new FormControl(item.label, { nonNullable: true }),
    // nonNullable: a form reset (the page shows a saved or synced revision) returns to the stored result, not null.
    result: new FormControl<ChecklistResult>(item.result, { nonNullable: true }),
    note: new FormControl(item.note ?? '', { nonNullable: true }),
  });
}

/** Form rows back to checklist items; an empty note is left out rather than stored as "". */
export function checklistItems(rows: FormArray<ChecklistItemForm>): ChecklistItem[] {
  return rows.getRawValue().map(({ id, label, result, note }) => (note.trim() ? { id, label, result, note } : { id, label, result }));
}

/** The checklist items not answered yet (neither pass, fail nor N/A), by label, or by number when unlabelled. */
export function unansweredItems(rows: FormArray<ChecklistItemForm>): string[] {
  return rows
    .getRawValue()
    .map(({ label, result }, i) => (result === null ? label.trim() || $localize`:@@checklist.itemNumber:Item ${i + 1}:number:` : null))
    .filter((label): label is string => label !== null);
}
