type AnyDb = PouchDB.Database<object>;

/**
 * Every leaf of every document (deleted ones too) with its revision history and
 * attachments by digest: two databases with equal snapshots hold the same revision trees'
 * leaves, as replication must leave them. Used by browser and Node tests alike.
 */
export async function leafSnapshot(db: AnyDb): Promise<unknown[]> {
  const { results } = await db.changes({ style: 'all_docs' });
  const ids = results.map((change) => change.id).sort();
  return Promise.all(
    ids.map(async (id) => {
      const leaves = await db.get(id, { open_revs: 'all', revs: true });
      return leaves
        .map((leaf) => ('ok' in leaf ? leaf.ok : leaf))
        .map((doc) => {
          const { _attachments, ...rest } = doc as {
            _rev: string;
            _attachments?: Record<string, { digest: string; content_type: string }>;
          };
          const attachments = Object.entries(_attachments ?? {}).map(
            ([name, { digest, content_type }]) => `${name} ${content_type} ${digest}`,
          );
          return { ...rest, attachments };
        })
        .sort((a, b) => a._rev.localeCompare(b._rev));
    }),
  );
}
