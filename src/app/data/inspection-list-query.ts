import { Inspection, InspectionStatus } from '../../../domain/doc-types';
import { Database } from '../core/pouchdb';
import { LOCAL_FIND_LIMIT } from './find-limit';

export interface InspectionFilter {
  status: InspectionStatus | 'all';
  /** Matched case-insensitively against title and site. */
  search: string;
}

export interface InspectionQuery extends InspectionFilter {
  /** How many of the matching inspections the list shows. */
  limit: number;
}

/** The ids a list shows, soonest scheduled first, and how many inspections match in all. */
export interface ListIds {
  ids: string[];
  total: number;
}

// Inspection ids are `inspection:<uuid>` (domain/doc-rules.ts).
const ID_PREFIX = 'inspection:';

/** Whether a changed document can change an inspection list. */
export function isInspectionId(id: string): boolean {
  return id.startsWith(ID_PREFIX);
}

type Summary = Pick<Inspection, '_id' | 'title' | 'site' | 'scheduledFor'>;

const TYPE_SCHEDULED: [string, string] = ['idx-type-scheduled', 'type-scheduled'];
const TYPE_STATUS: [string, string] = ['idx-type-status', 'type-status'];
const SCHEDULED: PouchDB.Find.Selector = { type: 'inspection', scheduledFor: { $gt: null } };
const SOONEST_FIRST: PouchDB.Find.FindRequest<object>['sort'] = [{ type: 'asc' }, { scheduledFor: 'asc' }];

/**
 * Finds the inspections a list shows through the Mango indexes.
 *
 * pouchdb-find reads every document of the index range it walks and cannot count. The
 * unfiltered list walks only its shown rows of the type-scheduled index and counts the
 * primary index's keys. A filtered list must see every match to count them: a status
 * walks its range of the type-status index, a search of all statuses the whole
 * type-scheduled range, keeping only the fields that match and order.
 */
export function findListIds(db: Database, query: InspectionQuery): Promise<ListIds> {
  const needle = query.search.trim().toLowerCase();
  return query.status === 'all' && !needle ? soonest(db, query.limit) : scan(db, query.status, needle, query.limit);
}

async function soonest(db: Database, limit: number): Promise<ListIds> {
  const [found, total] = await Promise.all([
    db.find({ selector: SCHEDULED, fields: ['_id'], sort: SOONEST_FIRST, use_index: TYPE_SCHEDULED, limit }),
    countInspections(db),
  ]);
  return { ids: found.docs.map((doc) => doc._id), total };
}

// pouchdb-find cannot count without reading every document; a key-only range of the
// primary index over the inspection ids counts them without reading one.
async function countInspections(db: Database): Promise<number> {
  return (await db.allDocs({ startkey: ID_PREFIX, endkey: `${ID_PREFIX}\ufff0` })).rows.length;
}

async function scan(db: Database, status: InspectionStatus | 'all', needle: string, limit: number): Promise<ListIds> {
  const candidates = status === 'all' ? await allScheduled(db) : await withStatus(db, status);
  const matches = needle
    ? candidates.filter((doc) => doc.title.toLowerCase().includes(needle) || doc.site.toLowerCase().includes(needle))
    : candidates;
  return { ids: matches.slice(0, limit).map((doc) => doc._id), total: matches.length };
}

async function allScheduled(db: Database): Promise<Summary[]> {
  const found = await db.find({
    selector: SCHEDULED,
    fields: ['_id', 'title', 'site', 'scheduledFor'],
    sort: SOONEST_FIRST,
    use_index: TYPE_SCHEDULED,
    limit: LOCAL_FIND_LIMIT,
  });
  return found.docs as unknown as Summary[];
}

// The type-status index orders by id within a status, so the date order is made here,
// with the id as tie-break like the type-scheduled index.
async function withStatus(db: Database, status: InspectionStatus): Promise<Summary[]> {
  const found = await db.find({
    selector: { type: 'inspection', status, scheduledFor: { $gt: null } },
    fields: ['_id', 'title', 'site', 'scheduledFor'],
    use_index: TYPE_STATUS,
    limit: LOCAL_FIND_LIMIT,
  });
  return (found.docs as unknown as Summary[]).sort((a, b) => compare(a.scheduledFor, b.scheduledFor) || compare(a._id, b._id));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
