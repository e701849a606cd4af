import { BulkDocsRow, ConflictDb, OpenRevsRow, isNotFound } from '../../../domain/conflicts/conflict-db';
import { ResolutionWrite } from '../../../domain/conflicts/conflict-resolution';
import { ConflictedDoc } from '../../../domain/conflicts/conflicted-docs';
import { commonAncestorRev } from '../../../domain/conflicts/revision-tree';
import { StoredDoc } from '../../../domain/conflicts/stored-doc';
import { Database } from '../core/pouchdb';
import { blobToBase64 } from '../shared/blob-base64';

type BulkGetResults = PouchDB.Core.BulkGetResponse<object>['results'];

/** Ancestors fetched from the server in one request, rather than one request each. */
const PREFETCH_BATCH = 500;

/**
 * The local database as the conflict module reads and writes it, except that a single revision
 * compacted away locally is fetched from the server. The local database compacts on every write,
 * so the common ancestor of two devices' edits is usually only still on the server. Writes go
 * to `write` (the app's document writer).
 */
export class ServerAncestorDb implements ConflictDb {
  private server: Database | null = null;
  /** Revisions from the last prefetch, by `<id> <rev>`; a revision's body never changes. */
  private prefetched = new Map<string, object>();

  constructor(
    private readonly local: Database,
    private readonly openServer: () => Database,
    private readonly write: (docs: ResolutionWrite[]) => Promise<BulkDocsRow[]>,
  ) {}

  get(id: string, options: { open_revs: 'all'; revs: true }): Promise<OpenRevsRow[]>;
  get(id: string, options: { rev: string; attachments: boolean }): Promise<object>;
  get(id: string, options: { open_revs: 'all'; revs: true } | { rev: string; attachments: boolean }): Promise<OpenRevsRow[] | object> {
    if ('open_revs' in options) return this.local.get(id, options) as Promise<OpenRevsRow[]>;
    const prefetched = options.attachments ? undefined : this.prefetched.get(`${id} ${options.rev}`);
    if (prefetched) return Promise.resolve(prefetched);
    const local = options.attachments ? withAttachmentData(this.local, id, options.rev) : this.local.get(id, options);
    return local.catch(async (localError: unknown) => {
      if (!isNotFound(localError)) throw localError;
      try {
        return await this.serverDb().get(id, options);
      } catch {
        // Offline, signed out, or compacted there too: the revision is gone as far as we can tell.
        throw localError;
      }
    });
  }

  bulkDocs(docs: ResolutionWrite[]): Promise<BulkDocsRow[]> {
    return this.write(docs);
  }

  /** Whether the server answers now: a revision `get` did not find may only have been out of reach. */
  async serverAnswers(): Promise<boolean> {
    try {
      await this.serverDb().info();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Fetches the common ancestors of `docs` from the server with `_bulk_get`, for the merges about
   * to run. Best effort: what is not fetched is asked for one by one, or missed.
   */
  async prefetchAncestors(docs: readonly ConflictedDoc[]): Promise<void> {
    this.prefetched = new Map();
    const wanted = docs.flatMap((doc) => {
      const rev = commonAncestorRev(doc.leaves);
      return rev ? [{ id: doc.id, rev }] : [];
    });
    try {
      for (let start = 0; start < wanted.length; start += PREFETCH_BATCH) {
        const { results } = await this.serverDb().bulkGet({ docs: wanted.slice(start, start + PREFETCH_BATCH) });
        this.remember(results);
      }
    } catch {
      // Offline or signed out: the merges go two-way where the ancestor is not local.
    }
  }

  private remember(results: BulkGetResults): void {
    for (const { id, docs } of results) {
      for (const result of docs) {
        if ('ok' in result) this.prefetched.set(`${id} ${result.ok._rev}`, result.ok);
      }
    }
  }

  private serverDb(): Database {
    return (this.server ??= this.openServer());
  }
}

/**
 * Revision `rev` of `id` with its attachments' data inline (base64), as `get` with
 * `attachments: true` answers. The indexeddb adapter as released kept the new attachments of a
 * revision stored as not winning (the other tablet's version of a conflict, as the pull stores it
 * when it loses) with that revision, not in its attachment store, where such a `get` looks for
 * them: it throws inside the adapter and never answers. Our patch of the adapter stores them
 * right; revisions a tablet stored before it are read from the revision itself.
 */
async function withAttachmentData(db: Database, id: string, rev: string): Promise<object> {
  const doc = (await db.get(id, { rev })) as StoredDoc;
  const attachments = Object.entries(doc._attachments ?? {});
  const keptWithRevision = (attachment: object) => 'data' in attachment && attachment.data !== undefined;
  if (!attachments.some(([, attachment]) => keptWithRevision(attachment))) return db.get(id, { rev, attachments: true });
  const inline: Record<string, { content_type: string; digest: string; data: string }> = {};
  for (const [name, attachment] of attachments) {
    const data: unknown = keptWithRevision(attachment) ? attachment.data : await db.getAttachment(id, name, { rev });
    inline[name] = { content_type: attachment.content_type, digest: attachment.digest, data: await base64(data) };
  }
  return { ...doc, _attachments: inline };
}

/** Attachment data as the adapter keeps it (a Blob, or base64 where it stores no Blobs) as base64. */
function base64(data: unknown): Promise<string> | string {
  return typeof data === 'string' ? data : blobToBase64(data as Blob);
}
