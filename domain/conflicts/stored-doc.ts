/**
 * Documents as CouchDB/PouchDB store and return them. Conflict handling reads leaves of any
 * shape (they were written by older app versions or other devices), so field values stay `unknown`.
 */

/** `_revisions` of a document fetched with `revs: true`: ids newest first, the first at position `start`. */
export interface RevisionHistory {
  start: number;
  ids: string[];
}

/** An `_attachments` entry: a stub (`stub: true`) or, when fetched with `attachments: true`, inline base64 `data`. */
export interface Attachment {
  content_type: string;
  digest: string;
  length?: number;
  revpos?: number;
  stub?: boolean;
  data?: string;
}

export interface StoredDoc {
  _id: string;
  _rev: string;
  _deleted?: boolean;
  _revisions?: RevisionHistory;
  _attachments?: Record<string, Attachment>;
  [field: string]: unknown;
}

/** A leaf revision fetched with `{open_revs, revs: true}`. */
export interface LeafDoc extends StoredDoc {
  _revisions: RevisionHistory;
}

/** Audit trail a conflict resolution adds to the document it writes. */
export interface MergeTrail {
  mergedFrom?: string[];
  mergedBy?: string;
  mergedAt?: string;
}

/** Loads one revision of the document in question; resolves null when it is gone (404, e.g. compacted). */
export type FetchRevision = (rev: string, options: { attachments: boolean }) => Promise<StoredDoc | null>;

export function isStoredDoc(value: object): value is StoredDoc {
  return '_id' in value && typeof value._id === 'string' && '_rev' in value && typeof value._rev === 'string';
}

export function isLeafDoc(value: object): value is LeafDoc {
  if (!isStoredDoc(value)) return false;
  const history = value._revisions;
  return typeof history === 'object' && history !== null && typeof history.start === 'number' && Array.isArray(history.ids);
}
