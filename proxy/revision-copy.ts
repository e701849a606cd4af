import type { CouchAdmin } from '../couch/couch-admin';

/** Documents fetched per `_bulk_get`: a full-size photo comes inline as base64, a few MB each. */
const FETCH_CHUNK = 8;

/**
 * Copies known revisions of documents from one database of the server to another with the
 * replication protocol's own calls: `_revs_diff` on the target, `_bulk_get` (with history and
 * attachments) from the source, `_bulk_docs` with `new_edits: false` into the target; so
 * what the target already has costs one small request, and a copy is the same revision, never
 * a new one or a conflict. A replication job cannot do it: the documents are picked by id,
 * and PouchDB Server's `_replicate` ignores `doc_ids`.
 *
 * Returns how many revisions were written; a target that refuses one (its `{id, error}`) is
 * reported through `refused`.
 */
export async function copyRevisions(
  couch: CouchAdmin,
  source: string,
  target: string,
  leaves: Map<string, string[]>,
  refused: (id: string, reason: string) => void,
): Promise<number> {
  const diff = (await couch.request({
    db: target,
    method: 'POST',
    path: '_revs_diff',
    body: Object.fromEntries(leaves),
  })) as Record<string, { missing?: string[] }>;
  const wanted = Object.entries(diff).flatMap(([id, { missing }]) => (missing ?? []).map((rev) => ({ id, rev })));
  let written = 0;
  for (let start = 0; start < wanted.length; start += FETCH_CHUNK) {
    const { results } = (await couch.request({
      db: source,
      method: 'POST',
      path: '_bulk_get',
      qs: { revs: true, attachments: true },
      body: { docs: wanted.slice(start, start + FETCH_CHUNK) },
    })) as { results: { id: string; docs: { ok?: Record<string, unknown> }[] }[] };
    const docs = results.flatMap((result) => result.docs.flatMap((found) => (found.ok ? [found.ok] : [])));
    if (!docs.length) continue;
    const answers = (await couch.request({
      db: target,
      method: 'POST',
      path: '_bulk_docs',
      body: { docs, new_edits: false },
    })) as { id: string; error?: string; reason?: string }[];
    const failures = answers.filter((answer) => answer.error);
    for (const failure of failures) refused(failure.id, `${failure.error}: ${failure.reason ?? ''}`);
    written += docs.length - failures.length;
  }
  return written;
}
