import { isPhotoId } from '../../../domain/photo-doc';

type Seq = number | string;
type AnyDb = PouchDB.Database<object>;
type RemoteDoc = PouchDB.Core.Document<object> & PouchDB.Core.RevisionIdMeta & { _attachments?: Record<string, AttachmentStub> };
interface AttachmentStub {
  stub?: boolean;
  length?: number;
  content_type: string;
  digest?: string;
  data?: Blob | string;
}

export interface InitialPullOptions {
  /** Changes per request, and documents per local write. */
  batchSize: number;
  /** Where an earlier, interrupted initial pull got to. */
  since?: Seq;
  /** After each batch is stored locally: resume from `seq` if interrupted. */
  onBatch?: (batch: { seq: Seq; docs: { _id: string; _rev: string }[] }) => Promise<void> | void;
  /** Stops between batches (logout, going offline); the promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * The first pull of a server database into a device's database: every leaf revision of
 * every document, with its revision history and attachments, stored with
 * `new_edits: false` exactly as PouchDB's replicator stores them. It returns the server
 * sequence it got to, from which the regular replication continues (`since`).
 *
 * It exists for speed. PouchDB's replicator handles one batch at a time and each batch
 * waits for a revs_diff (one IndexedDB transaction per document) and for checkpoint
 * writes on both sides before the next fetch starts. Here the next batch is fetched
 * while the current one is written, there is no revs_diff (writing a revision the
 * device already has is a no-op, so nothing can be lost by skipping it), and no
 * checkpoint is written until the end.
 */
export async function initialPull(local: AnyDb, remote: AnyDb, options: InitialPullOptions): Promise<Seq> {
  const { batchSize, signal } = options;
  const ahead = prefetch(remote, options.since ?? 0, batchSize);
  for (;;) {
    const batch = await ahead.next();
    signal?.throwIfAborted();
    if (batch.changes === 0) return batch.seq;
    await storeBatch(local, remote, batch.docs);
    await options.onBatch?.({ seq: batch.seq, docs: batch.docs });
  }
}

interface Batch {
  /** The last sequence this batch covers. */
  seq: Seq;
  /** How many changes it covers (a change may bring no document, e.g. a purged one). */
  changes: number;
  docs: RemoteDoc[];
}

interface ChangesPage {
  seq: Seq;
  /** Rows the server's feed gave: none at its end. */
  rows: number;
  /** Those the device takes. */
  changes: PouchDB.Core.ChangesResponseChange<object>[];
}

/** Batches up to this many ahead of the one being written: the network and IndexedDB work in parallel. */
const LOOKAHEAD = 2;

/**
 * The server's changes as batches with their documents, in order. Each changes page is
 * requested as soon as the one before it arrives, and its documents as soon as it does,
 * so while one batch is written the next ones are already on their way.
 */
function prefetch(remote: AnyDb, since: Seq, batchSize: number): { next(): Promise<Batch> } {
  const queue: Promise<Batch>[] = [];
  let pages: Promise<ChangesPage> = readChanges(remote, since, batchSize);
  const enqueue = () => {
    const page = pages;
    // At the end, the empty last page stands for every page after it.
    pages = page.then((current) => (current.rows ? readChanges(remote, current.seq, batchSize) : current));
    const batch = page.then((current) => fetchDocs(remote, current));
    // A failure is reported when its batch's turn comes; not as unhandled meanwhile.
    pages.catch(() => undefined);
    batch.catch(() => undefined);
    queue.push(batch);
  };
  for (let i = 0; i <= LOOKAHEAD; i++) enqueue();
  return {
    next() {
      enqueue();
      return queue.shift()!;
    },
  };
}

async function readChanges(remote: AnyDb, since: Seq, batchSize: number): Promise<ChangesPage> {
  // `batch_size` too: without it PouchDB splits the request into pages of 25. The live pull's
  // PULL_SELECTOR leaves photo documents out by id alone, so here the same is done by id on
  // this side: a `_selector` filter makes CouchDB open every document to test it (3.4.3, 10,000
  // records: 1.7 CPU seconds of the server against 0.5 for the plain feed), and the feed
  // carries ids and revisions only either way.
  const { results, last_seq } = await remote.changes({
    since,
    limit: batchSize,
    batch_size: batchSize,
    style: 'all_docs',
  } as PouchDB.Core.ChangesOptions);
  return {
    seq: results.length ? results[results.length - 1].seq : last_seq,
    rows: results.length,
    changes: results.filter((change) => !isPhotoId(change.id)),
  };
}

async function fetchDocs(remote: AnyDb, page: ChangesPage): Promise<Batch> {
  if (!page.changes.length) return { seq: page.seq, changes: page.rows, docs: [] };
  const wanted = page.changes.flatMap((change) => change.changes.map(({ rev }) => ({ id: change.id, rev })));
  // `latest` is in CouchDB's _bulk_get and PouchDB's, not in PouchDB's typings.
  const { results: found } = await remote.bulkGet({ docs: wanted, revs: true, latest: true } as PouchDB.Core.BulkGetOptions);
  const docs: RemoteDoc[] = [];
  for (const { docs: revisions } of found) {
    for (const revision of revisions as { ok?: RemoteDoc; error?: { error: string; reason: string } }[]) {
      if (revision.ok) docs.push(revision.ok);
      // Gone since the changes feed listed it (CouchDB: not_found; PouchDB Server: `{missing}` or `{}`).
      else if (revision.error && revision.error.error !== 'not_found')
        throw Object.assign(new Error(revision.error.reason), { status: 500, name: revision.error.error });
    }
  }
  return { seq: page.seq, changes: page.rows, docs };
}

/**
 * Attachment bytes fetched per local write at most. Photos are fetched only when their
 * documents are about to be written, in groups of about this size, so a batch of defects
 * with photos does not sit in memory (a tablet's) while earlier batches are written.
 */
const ATTACHMENT_BYTES_PER_WRITE = 8 * 1024 * 1024;

/** Attachment bytes per request for their bodies: about 1.3 MB of base64 per answer, 50 to 100 thumbnails. */
const ATTACHMENT_BYTES_PER_REQUEST = 1024 * 1024;

async function storeBatch(local: AnyDb, remote: AnyDb, docs: RemoteDoc[]): Promise<void> {
  for (const group of byAttachmentBytes(docs, ATTACHMENT_BYTES_PER_WRITE)) {
    if (!group.length) continue;
    await fetchAttachments(remote, group);
    const results = await local.bulkDocs(group as PouchDB.Core.PutDocument<object>[], { new_edits: false });
    const failed = results.find((result): result is PouchDB.Core.Error => 'error' in result && !!result.error);
    if (failed)
      throw Object.assign(new Error(`could not store ${failed.id}: ${failed.message ?? failed.reason ?? failed.name}`), {
        status: failed.status,
      });
  }
}

/** Consecutive groups of `docs` whose attachment stubs add up to `maxBytes` at most (or one document). */
function byAttachmentBytes(docs: RemoteDoc[], maxBytes: number): RemoteDoc[][] {
  const groups: RemoteDoc[][] = [[]];
  let bytes = 0;
  for (const doc of docs) {
    const size = stubBytes(doc);
    if (bytes + size > maxBytes && groups[groups.length - 1].length) {
      groups.push([]);
      bytes = 0;
    }
    groups[groups.length - 1].push(doc);
    bytes += size;
  }
  return groups;
}

function stubBytes(doc: RemoteDoc): number {
  return Object.values(doc._attachments ?? {}).reduce((sum, attachment) => sum + (attachment.stub ? (attachment.length ?? 0) : 0), 0);
}

/**
 * The bodies of the documents' attachment stubs, inline in `_bulk_get` answers
 * (`attachments=true`) of ATTACHMENT_BYTES_PER_REQUEST each, all in flight at once. PouchDB's
 * replicator asks for each attachment on its own: on a tablet's link every request is a round
 * trip of 100 ms or more, and a browser keeps six in flight per host, so a first pull of 1,000
 * defects' thumbnails waited for about 170 round trips; this way a dozen answers bring them.
 */
async function fetchAttachments(remote: AnyDb, docs: RemoteDoc[]): Promise<void> {
  const withStubs = docs.filter((doc) => Object.values(doc._attachments ?? {}).some((attachment) => attachment.stub));
  await Promise.all(
    byAttachmentBytes(withStubs, ATTACHMENT_BYTES_PER_REQUEST).map(async (part) => {
      if (!part.length) return;
      const { results } = await remote.bulkGet({
        docs: part.map(({ _id, _rev }) => ({ id: _id, rev: _rev })),
        attachments: true,
        binary: true,
      });
      const inline = new Map<string, RemoteDoc>();
      for (const { docs: revisions } of results)
        for (const revision of revisions as { ok?: RemoteDoc }[]) if (revision.ok) inline.set(revisionKey(revision.ok), revision.ok);
      for (const doc of part) {
        const attachments = inline.get(revisionKey(doc))?._attachments;
        // Edited and compacted on the server since this batch was read: the pull fails as a
        // failed attachment request did, and resumed, reads the batch again at the newer revision.
        if (!attachments) throw Object.assign(new Error(`${doc._id} changed on the server while it was pulled`), { status: 409 });
        doc._attachments = attachments;
      }
    }),
  );
}

function revisionKey(doc: RemoteDoc): string {
  return `${doc._id}\n${doc._rev}`;
}
