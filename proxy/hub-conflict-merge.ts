import type { Logger } from 'pino';
import { splitCredentials, type CouchAdmin } from '../couch/couch-admin';
import { auditedNanoConflictDb } from '../couch/conflicts/nano-conflict-db';
import { autoResolveConflicts } from '../domain/conflicts/auto-resolve';
import { conflictCandidateIds, findConflictedDocs, type ConflictedDoc } from '../domain/conflicts/conflicted-docs';
import { HUB_DB } from '../domain/db-names';
import { inspectionOwner } from '../domain/inspection-owner';
import type { ChangesHandler } from './changes-follower';
import type { HubRecord } from './record-handover';

export interface HubConflictMergeOptions {
  couch: CouchAdmin;
  couchAdminUrl: string;
  logger: Logger;
}

/** The device a resolution entry written here names (the merge itself names the auto-merge). */
const HUB_DEVICE_ID = 'hub-work';

/**
 * Merges, in the hub, an inspection whose leaves give it to different inspectors: an edit made
 * offline on the revision a supervisor has since reassigned. Nobody else can: the tablet it was
 * taken from lets it go, and when the edit's leaf wins, the new assignee's job never sees it and
 * the review page shows it with its old owner. The merge is the tablets' automatic one (the
 * reassignment and the edit changed different fields); one that needs a choice stays for the
 * supervisor. Other conflicts are the tablets' to merge: each holds its own records.
 */
export function hubConflictMerge({ couch, couchAdminUrl, logger }: HubConflictMergeOptions): ChangesHandler<HubRecord> {
  const admin = splitCredentials(couchAdminUrl).name;
  const db = auditedNanoConflictDb(couch, HUB_DB, admin, HUB_DEVICE_ID);
  return {
    async handle(rows) {
      const inspections = rows.filter((row) => row.doc?.type === 'inspection');
      const racing = (await findConflictedDocs(db, conflictCandidateIds(inspections))).filter(ownersDiffer);
      if (!racing.length) return;
      for (const outcome of await autoResolveConflicts(db, racing, { mergedBy: 'hub', userCtx: { name: admin, roles: ['_admin'] } })) {
        if (outcome.status === 'resolved')
          logger.info({ id: outcome.id, rev: outcome.rev }, 'hub: merged a reassignment with an offline edit');
        // `changed`: someone's resolution came first, and its change comes in a later batch.
        else if (outcome.reason !== 'changed')
          logger.warn(
            { id: outcome.id, reason: outcome.reason, details: outcome.details },
            'hub: a reassignment raced an edit and needs a choice',
          );
      }
    },
  };
}

function ownersDiffer({ leaves }: ConflictedDoc): boolean {
  return new Set(leaves.filter((leaf) => !leaf._deleted).map((leaf) => inspectionOwner(leaf as HubRecord))).size > 1;
}
