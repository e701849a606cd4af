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

/**
 * The ids a list shows, soonest scheduled first, and how many inspections match in all; null
 * when the ids did not tell and the count is a read of its own (countListed).
 */
export interface ListIds {
  ids: string[];
  total: number | null;
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
 * unfiltered list walks only its shown rows of the type-scheduled index; its total, unless
 * fewer than a page came, is counted apart (countListed). A filtered list must see every match
 * to count them: a status walks its range of the type-status index, a search of all statuses
 * the whole type-scheduled range, keeping only the fields that match and order.
 */
export function findListIds(db: Database, query: InspectionQuery): Promise<ListIds> {
  const needle = query.search.trim().toLowerCase();
  return query.status === 'all' && !needle ? soonest(db, query.limit) : scan(db, query.status, needle, query.limit);
}

/**
 * The unfiltered list's first `limit` ids straight from the adapter's native index (their keys
 * alone, one request): pouchdb-find would first read the design documents, then whole records.
 * An index whose design document came without createIndex (the move from the old idb store) is
 * not built until a query asks for it: pouchdb-find's does, once.
 */
async function soonest(db: Database, limit: number): Promise<ListIds> {
  const ids = await onScheduledIndex(db, (index) => index.getAllKeys(SCHEDULED_INSPECTIONS, limit)).then(
    (keys) => keys as string[],
    async (error: unknown) => {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
      const found = await db.find({ selector: SCHEDULED, fields: ['_id'], sort: SOONEST_FIRST, use_index: TYPE_SCHEDULED, limit });
      return found.docs.map((doc) => doc._id);
    },
  );
  return { ids, total: ids.length < limit ? ids.length : null };
}

/** What the `indexeddb` adapter offers besides PouchDB's API: a transaction on its own connection. */
interface NativeIndexes {
  _openTransactionSafely(stores: string[], mode: 'readonly', callback: (error: unknown, txn: IDBTransaction) => void): void;
}

// The adapter keeps each Mango index as an IndexedDB index of its document store, named after
// the fields and keyed [deleted (0 or 1), ...the fields' values], records in id order within a key.
const DOC_STORE = 'docs';
const TYPE_SCHEDULED_NATIVE = '_find_idx/type/scheduledFor';
// Every live inspection with a date (a string; arrays sort after strings in IndexedDB).
const SCHEDULED_INSPECTIONS = IDBKeyRange.bound([0, 'inspection', ''], [0, 'inspection', []]);

/** Runs one request on the native type-scheduled index; a missing index fails with NotFoundError. */
function onScheduledIndex<T>(db: Database, request: (index: IDBIndex) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) =>
    (db as unknown as NativeIndexes)._openTransactionSafely([DOC_STORE], 'readonly', (error, txn) => {
      if (error) return reject(error);
      try {
        const sent = request(txn.objectStore(DOC_STORE).index(TYPE_SCHEDULED_NATIVE));
        sent.onsuccess = () => resolve(sent.result);
        sent.onerror = () => reject(sent.error);
      } catch (missing) {
        reject(missing);
      }
    }),
  );
}

/**
 * How many inspections the unfiltered list has, once findListIds has read its rows (which makes
 * the adapter build the index counted here, if it is new). pouchdb-find cannot count, and
 * reading a range of the primary index reads every document in it (the adapter's allDocs loads
 * whole records even without `include_docs`): while a first pull streamed in, each list update
 * read every inspection pulled so far, holding up the pull's writes. IndexedDB counts an index
 * range from its keys alone, yet still walks them all: about 150 ms for 20,000 here, which is
 * why the rows are shown without waiting for it.
 */
export function countListed(db: Database): Promise<number> {
  return onScheduledIndex(db, (index) => index.count(SCHEDULED_INSPECTIONS));
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
