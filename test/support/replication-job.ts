import type { CouchAdmin } from '../../couch/couch-admin';

/** Whether the server's `_replicator` holds the job `id`. */
export function hasReplicationJob(admin: CouchAdmin, id: string): Promise<boolean> {
  return admin
    .use('_replicator')
    .get(id)
    .then(
      () => true,
      () => false,
    );
}
