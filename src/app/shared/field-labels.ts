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
  const last = field.replace(/^.*\./, '').replace(/\[[^\]]*\]$/, '');
  if (Object.hasOwn(FIELD_LABELS, last)) return FIELD_LABELS[last]!;
  const words = last.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
