import { isDeepStrictEqual } from 'node:util';
import type { CouchAdmin } from './couch-admin';
import { isConflict, isNotFound } from './couch-admin';
import { HUB_DB, partnerDbName } from '../domain/db-names';
import { ownedBySelector } from '../domain/inspection-owner';
import { partnerSelector } from '../domain/partner-share';
import { replicationEndpoint } from './replication-endpoint';
import { hasPersonalDb, type FieldbookRole } from '../domain/roles';
import { userDbName } from '../domain/user-db-name';

/** A continuous replication between two databases of this server, kept as a `_replicator` doc. */
export interface ReplicationJob {
  /** Deterministic `_replicator` doc id: `<kind>-<user name>`. */
  id: string;
  source: string;
  target: string;
  selector: Record<string, unknown>;
}

const JOB_KINDS = ['fanin', 'assign', 'partner'] as const;

/**
 * The jobs a user's role needs:
 * - `fanin-<name>`: their database into the hub, everything but design docs (each database
 *   has its own copies of those; replicated, they would conflict).
 * - `assign-<name>`: from the hub, the inspections that are theirs: assigned to them, or
 *   created by them with no assignee; so assignments and supervisors' decisions reach their
 *   tablet. A selector sees a document's own fields only, so the rest goes through the proxy's
 *   hub work (proxy/record-handover.ts): the records of their inspections that others
 *   changed, and the revision that takes an inspection away from them. A selector sees a
 *   deletion only if the tombstone keeps the fields: delete with the body (`{...doc, _deleted: true}`).
 * - `partner-<name>`: approved inspections shared with the partner, the defects shared along
 *   with them and their full-size photos (domain/partner-share.ts); what stops matching is
 *   withdrawn from the partner's database by the proxy (proxy/partner-withdrawal-watch.ts).
 */
export function replicationJobsFor(name: string, role: FieldbookRole | null): ReplicationJob[] {
  if (!role) return [];
  if (role === 'partner') {
    return [
      {
        id: `partner-${name}`,
        source: HUB_DB,
        target: partnerDbName(name),
        selector: partnerSelector(name),
      },
    ];
  }
  if (!hasPersonalDb(role)) return [];
  const own = userDbName(name);
  return [
    { id: `fanin-${name}`, source: own, target: HUB_DB, selector: { $not: { _id: { $regex: '^_design/' } } } },
    {
      id: `assign-${name}`,
      source: HUB_DB,
      target: own,
      selector: { type: 'inspection', ...ownedBySelector(name) },
    },
  ];
}

interface ReplicatorDoc {
  _id: string;
  _rev?: string;
  source?: unknown;
  target?: unknown;
  continuous?: boolean;
  selector?: unknown;
}

/** Makes the user's jobs exactly those their role needs (none for `null`): idempotent. */
export async function ensureReplicationJobs(couch: CouchAdmin, name: string, role: FieldbookRole | null): Promise<void> {
  const wanted = replicationJobsFor(name, role);
  for (const job of wanted) await ensureJob(couch, job);
  for (const kind of JOB_KINDS) {
    const id = `${kind}-${name}`;
    if (!wanted.some((job) => job.id === id)) await removeJob(couch, id);
  }
}

async function ensureJob(couch: CouchAdmin, job: ReplicationJob): Promise<void> {
  const body = {
    source: await replicationEndpoint(couch, job.source),
    target: await replicationEndpoint(couch, job.target),
    continuous: true,
    selector: job.selector,
  };
  const current = await getJob(couch, job.id);
  // Field by field, whatever their order: a job written before (e.g. with credentials in its URLs) is rewritten once, not at every start.
  const { source, target, continuous, selector } = current ?? {};
  if (current && isDeepStrictEqual(body, { source, target, continuous, selector })) return;
  // PouchDB Server forbids editing a running job's doc; deleting and creating it works on both flavours.
  if (current) await removeJob(couch, job.id);
  await couch.use<ReplicatorDoc>('_replicator').insert({ _id: job.id, ...body });
}

async function getJob(couch: CouchAdmin, id: string): Promise<ReplicatorDoc | null> {
  try {
    return (await couch.use<ReplicatorDoc>('_replicator').get(id)) as ReplicatorDoc;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

async function removeJob(couch: CouchAdmin, id: string): Promise<void> {
  // The replicator records progress in the same doc, so a delete can lose a race with it.
  for (let attempt = 0; ; attempt++) {
    const current = await getJob(couch, id);
    if (!current) return;
    try {
      await couch.use('_replicator').destroy(id, current._rev!);
      return;
    } catch (error) {
      if (!isConflict(error) || attempt === 9) throw error;
      // A busy replicator may win several times in a row; give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    }
  }
}
