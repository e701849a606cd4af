import type { Inspection } from './doc-types';

/**
 * Whose inspection it is: its assignee, or, for one nobody was assigned (an inspector's own),
 * whoever created it. Their database and tablet hold it and every record of it.
 */
export function inspectionOwner(inspection: Partial<Pick<Inspection, 'assignedTo' | 'createdBy'>>): string | undefined {
  return inspection.assignedTo ?? inspection.createdBy;
}

/** The same as a Mango selector (a replication job's, a query's): the inspections `user` owns. */
export function ownedBySelector(user: string) {
  return { $or: [{ assignedTo: user }, { assignedTo: { $exists: false }, createdBy: user }] };
}
