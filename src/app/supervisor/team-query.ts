import { Inspection, InspectionStatus } from '../../../domain/doc-types';
import { ownedBySelector } from '../../../domain/inspection-owner';
import { Database } from '../core/pouchdb';

/** What the team list shows: empty fields do not filter. */
export interface TeamFilter {
  /** The inspector the inspection is assigned to, or who created it when it is assigned to nobody. */
  inspector: string;
  status: InspectionStatus | '';
  /** Scheduled on or after this date (YYYY-MM-DD). */
  from: string;
  /** Scheduled on or before this date (YYYY-MM-DD). */
  to: string;
}

export const NO_TEAM_FILTER: TeamFilter = { inspector: '', status: '', from: '', to: '' };

/** A page of the team list, and whether more inspections match after it. */
export interface TeamResults {
  inspections: Inspection[];
  more: boolean;
}

/**
 * Finds a page of the hub's inspections that `filter` lets through, the latest scheduled
 * first. The type-scheduled index gives the order and the date range; CouchDB checks the
 * inspector and status on the rows it walks and stops once the page is full. One row more
 * than the page says whether there are more (Mango cannot count).
 */
export async function findTeamPage(hub: Database, filter: TeamFilter, limit: number): Promise<TeamResults> {
  const found = await hub.find({
    selector: teamSelector(filter),
    sort: [{ type: 'desc' }, { scheduledFor: 'desc' }],
    use_index: ['idx-type-scheduled', 'type-scheduled'],
    limit: limit + 1,
  });
  const docs = found.docs as Inspection[];
  return { inspections: docs.slice(0, limit), more: docs.length > limit };
}

function teamSelector(filter: TeamFilter): PouchDB.Find.Selector {
  // One lower bound: pouchdb-find keeps only one of `$gt: null` and `$gte` (the index range needs a bound).
  const scheduledFor: PouchDB.Find.ConditionOperators = filter.from ? { $gte: filter.from } : { $gt: null };
  if (filter.to) scheduledFor.$lte = filter.to;
  return {
    type: 'inspection',
    scheduledFor,
    ...(filter.status ? { status: filter.status } : {}),
    // An inspection an inspector created themselves may have no `assignedTo`.
    ...(filter.inspector ? ownedBySelector(filter.inspector) : {}),
  };
}
