import { dateFormat } from './date-format';

/**
 * What the app calls the documents' fields wherever it names one without a form around it:
 * the history, the conflict screen, a rule's message. The forms label their own fields with
 * the same ids (field.title …), so a field reads the same everywhere.
 */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  title: $localize`:@@field.title:Title`,
  site: $localize`:@@field.site:Site`,
  scheduledFor: $localize`:@@field.scheduledFor:Scheduled for`,
  priority: $localize`:@@field.priority:Priority`,
  notes: $localize`:@@field.notes:Notes`,
  status: $localize`:@@field.status:Status`,
  assignedTo: $localize`:@@field.assignedTo:Inspector`,
  reviewComment: $localize`:@@field.reviewComment:Review comment`,
  partners: $localize`:@@field.partners:Shared with`,
  description: $localize`:@@field.description:Description`,
  severity: $localize`:@@field.severity:Severity`,
  location: $localize`:@@field.location:Location`,
  inspectionStatus: $localize`:@@field.inspectionStatus:Inspection status`,
  checklist: $localize`:@@inspection.checklist:Checklist`,
  label: $localize`:@@checklist.item:Item`,
  result: $localize`:@@checklist.result:Result`,
  note: $localize`:@@checklist.note:Note`,
};

/** A field's name for people: its label, else its name spelled out ("deviceName" → "Device name"). */
export function fieldLabel(field: string): string {
  const last = fieldName(field);
  if (Object.hasOwn(FIELD_LABELS, last)) return FIELD_LABELS[last]!;
  const words = last.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const STATUS_VALUES: Readonly<Record<string, string>> = {
  draft: $localize`:@@status.draft:Draft`,
  submitted: $localize`:@@status.submitted:Submitted`,
  approved: $localize`:@@status.approved:Approved`,
  rejected: $localize`:@@status.rejected:Rejected`,
  open: $localize`:@@defect.status.open:Open`,
  fixed: $localize`:@@defect.status.fixed:Fixed`,
  wont_fix: $localize`:@@defect.status.wontFix:Won't fix`,
};

/** The words for the codes documents store, by field: the same ids as the pages that show them. */
const VALUE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  status: STATUS_VALUES,
  inspectionStatus: STATUS_VALUES,
  result: {
    pass: $localize`:@@checklist.pass:Pass`,
    fail: $localize`:@@checklist.fail:Fail`,
    na: $localize`:@@checklist.na:N/A`,
  },
};

/** Fields holding a calendar date, shown in the app's date style. */
const DATE_FIELDS = ['scheduledFor'];

/**
 * A stored value of `field` for people: a code in words ("approved" → "Approved"), a date in
 * the app's style, anything else as it is; `locale` is the app's (src/main.ts).
 */
export function fieldValue(field: string, value: unknown, locale = $localize.locale): string {
  const name = fieldName(field);
  const text = String(value);
  if (DATE_FIELDS.includes(name)) return dateFormat(locale ?? Intl.DateTimeFormat().resolvedOptions().locale).date(text);
  return VALUE_LABELS[name]?.[text] ?? text;
}

/** The field a path ends in: `checklist[2].result` → `result`, `checklist[2]` → `checklist`. */
function fieldName(path: string): string {
  return path.replace(/^.*\./, '').replace(/\[[^\]]*\]$/, '');
}
