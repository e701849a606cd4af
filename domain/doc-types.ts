/** Document shapes stored in user databases; `domain/doc-rules.ts` enforces them. */

export type InspectionStatus = 'draft' | 'submitted' | 'approved' | 'rejected';
/** `na`: not applicable; null: not answered yet (submitting needs every item answered). */
export type ChecklistResult = 'pass' | 'fail' | 'na' | null;
export type DefectStatus = 'open' | 'fixed' | 'wont_fix';
export type InspectionPriority = 'low' | 'normal' | 'high';

/** The shape a record has (domain/schema-versions.ts); missing: 1. The writer stamps the current one. */
export interface Versioned {
  schema?: number;
}

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

export interface Inspection extends AuditFields, Versioned {
  _id: string;
  _rev?: string;
  type: 'inspection';
  title: string;
  site: string;
  status: InspectionStatus;
  scheduledFor: string;
  checklist: ChecklistItem[];
  /** Required from schema 2 (older inspections migrate to 'normal'). */
  priority?: InspectionPriority;
  notes?: string;
  assignedTo?: string;
  /**
   * Who a supervisor last reassigned it away from: the proxy's hub work copies the reassigning
   * revision into that user's database, so their tablet learns it is no longer theirs.
   */
  unassignedFrom?: string;
  partners?: string[];
  reviewComment?: string;
}

export interface Defect extends AuditFields, Versioned {
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

/**
 * A defect's full-size photo (domain/photo-doc.ts): `photo:<defectId>:<stem>`, its one
 * attachment the image; the defect keeps the thumbnail `thumb-<stem>`. Immutable once written.
 */
export interface PhotoDoc {
  _id: string;
  _rev?: string;
  type: 'photo';
  /** Its defect. No `inspectionId`: queries of an inspection's defects select by that field. */
  defectId: string;
  createdBy: string;
  createdAt: string;
  deviceId: string;
  /** Its defect's `partners` while the defect is shared (proxy/photo-sharing-work.ts), so the partner job copies it too. */
  partners?: string[];
  _attachments?: Record<string, unknown>;
}

/** A value as an audit entry keeps it: small (long text cut short, lists and items summarised). */
export type AuditValue = string | number | boolean | null;

/** One changed field of a record. `before` absent: it was added; `after` absent: it was removed. */
export interface AuditChange {
  /** The field as the rules name it (`title`, `checklist[2].result`), or `photos`. */
  path: string;
  /** The checklist item the field belongs to (its label), when it belongs to one. */
  item?: string;
  before?: AuditValue;
  after?: AuditValue;
}

/**
 * One save of a record (`domain/audit-entry.ts` builds it): who, when, on which device, what
 * changed. Written with the record in the same local `_bulk_docs` and replicated like any
 * document, so the server and the hub keep every offline edit, not only the revision that won.
 * Append-only: the rules refuse any change or deletion of one.
 */
export interface AuditEntry {
  /** `audit:<docId>:<at>:<deviceId>:<random>`: sorts by record, then time; never collides. */
  _id: string;
  _rev?: string;
  type: 'audit';
  docId: string;
  docType: FieldbookDoc['type'];
  action: 'create' | 'update' | 'delete';
  /** Written by a conflict resolution: a person's choice or an automatic merge. */
  merge?: true;
  /**
   * The revision this change was made on (absent for a creation). The revision it produced is
   * its child, generation `revPos`: its hash exists only once the write is done, and the entry
   * is written in that same write.
   */
  baseRev?: string;
  revPos: number;
  user: string;
  at: string;
  deviceId: string;
  /** The name the user gave the device, if they named it. */
  deviceName?: string;
  changes: AuditChange[];
  /** How many more changes the save made than `changes` keeps. */
  omitted?: number;
}
