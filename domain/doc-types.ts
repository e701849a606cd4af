/** Document shapes stored in user databases; `domain/doc-rules.ts` enforces them. */

export type InspectionStatus = 'draft' | 'submitted' | 'approved' | 'rejected';
/** `na`: not applicable; null: not answered yet (submitting needs every item answered). */
export type ChecklistResult = 'pass' | 'fail' | 'na' | null;
export type DefectStatus = 'open' | 'fixed' | 'wont_fix';

export interface AuditFields {
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  deviceId: string;
  /** The name the user gave the device that made the change ("Tablet 3"), if they named it. */
  deviceName?: string;
}

export interface ChecklistItem {
  id: string;
  label: string;
  result: ChecklistResult;
  note?: string;
}

export interface Inspection extends AuditFields {
  _id: string;
  _rev?: string;
  type: 'inspection';
  title: string;
  site: string;
  status: InspectionStatus;
  scheduledFor: string;
  checklist: ChecklistItem[];
  notes?: string;
  assignedTo?: string;
  partners?: string[];
  reviewComment?: string;
}

export interface Defect extends AuditFields {
  _id: string;
  _rev?: string;
  type: 'defect';
  inspectionId: string;
  title: string;
  description?: string;
  severity: 1 | 2 | 3 | 4 | 5;
  location?: string;
  status: DefectStatus;
  /**
   * A copy of the inspection's status, written together with it (submission, review), so the
   * rules can keep the defect read-only while its inspection is: CouchDB's validate_doc_update
   * sees only this document. Absent: the inspection is open (draft or rejected).
   */
  inspectionStatus?: InspectionStatus;
  /** Set by a supervisor to the inspection's `partners` when sharing it, so partners get its defects too. */
  partners?: string[];
}

export type FieldbookDoc = Inspection | Defect;
