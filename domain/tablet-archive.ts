import type { Inspection } from './doc-types';

const DAY_MS = 24 * 3600_000;

/**
 * Whether an inspection is closed long enough to leave the tablet: approved, and its last
 * change (the approval, or a supervisor's later edit) `archiveDays` or more before `now`.
 * Whether everything of it is synced is the tablet's to check (its push ledger, conflicts, drafts).
 */
export function isArchivable(inspection: Pick<Inspection, 'status' | 'updatedAt'>, archiveDays: number, now: Date): boolean {
  if (inspection.status !== 'approved') return false;
  const changed = Date.parse(inspection.updatedAt);
  return !isNaN(changed) && now.getTime() - changed >= archiveDays * DAY_MS;
}

/**
 * Whether a supervisor took this inspection away from `user`: it names them as the one it was
 * taken from and someone else as its assignee. Their tablet lets it go (after pushing their
 * edits of it).
 */
export function isReassignedAway(inspection: Pick<Inspection, 'assignedTo' | 'unassignedFrom'>, user: string): boolean {
  return inspection.unassignedFrom === user && inspection.assignedTo !== user;
}
