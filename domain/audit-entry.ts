/** Building the audit entry of one save of a record, and finding a record's entries. */
import { auditDiff } from './audit-diff';
import type { AuditEntry, FieldbookDoc } from './doc-types';
import { migrateDoc } from './schema-versions';

/** Changes one entry keeps; a save of more (a new inspection with a long checklist) counts the rest. */
export const AUDIT_CHANGES_MAX = 50;

const PREFIX = 'audit:';

/** Who made a change, when and on which device: the audit fields of the revision written. */
export interface AuditStamp {
  updatedBy: string;
  updatedAt: string;
  deviceId: string;
  deviceName?: string;
}

export interface AuditedWrite {
  /** The revision the write replaces, as stored; null for a creation. */
  before: object | null;
  /** What is written: the record on `before`'s revision (`_rev`), or its tombstone. */
  after: { _id: string; _rev?: string; _deleted?: boolean; type?: string };
  stamp: AuditStamp;
  /** Part of a conflict resolution. */
  merge?: boolean;
}

/** Audit entries are not records: lists, counts and the push ledger leave them out. */
export function isAuditId(id: string): boolean {
  return id.startsWith(PREFIX);
}

/** The primary-index range of a record's entries, oldest first (their ids sort by record, then time). */
export function auditIdRange(docId: string): { startkey: string; endkey: string } {
  return { startkey: `${PREFIX}${docId}:`, endkey: `${PREFIX}${docId}:\ufff0` };
}

/** The record an entry's id names (`audit:<record id>:<ISO time>:…`, auditEntry), or null for an id not of that shape. */
export function auditedDocId(id: string): string | null {
  return ENTRY_ID.exec(id)?.[1] ?? null;
}
const ENTRY_ID = new RegExp(`^${PREFIX}(.+?):\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z:`);

/** The entry of one write; `random` (a few characters) keeps two writes of the same millisecond apart. */
export function auditEntry(write: AuditedWrite, random: string): AuditEntry {
  const { before, after, stamp } = write;
  const docType = (after.type ?? (before as { type?: string } | null)?.type) as FieldbookDoc['type'];
  const baseRev = after._rev;
  // Both in the current shape: a save of an older record migrates it too, which is nobody's edit
  // (the history said the user had set each field a migration adds).
  const changes = after._deleted ? [] : auditDiff(before && migrateDoc(before as Record<string, unknown>), migrateDoc(after));
  return {
    _id: `${PREFIX}${after._id}:${stamp.updatedAt}:${stamp.deviceId}:${random}`,
    type: 'audit',
    docId: after._id,
    docType,
    action: after._deleted ? 'delete' : before ? 'update' : 'create',
    ...(write.merge ? { merge: true as const } : {}),
    ...(baseRev ? { baseRev } : {}),
    revPos: baseRev ? parseInt(baseRev, 10) + 1 : 1,
    user: stamp.updatedBy,
    at: stamp.updatedAt,
    deviceId: stamp.deviceId,
    ...(stamp.deviceName ? { deviceName: stamp.deviceName } : {}),
    changes: changes.slice(0, AUDIT_CHANGES_MAX),
    ...(changes.length > AUDIT_CHANGES_MAX ? { omitted: changes.length - AUDIT_CHANGES_MAX } : {}),
  };
}
