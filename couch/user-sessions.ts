import type { MangoSelector } from 'nano';
import type { CouchAdmin } from './couch-admin';
import { isNotFound } from './couch-admin';
import type { MangoIndex } from '../domain/mango-indexes';

/** Where the proxy keeps login sessions, so they survive its restarts. */
export const SESSIONS_DB = 'fieldbook-sessions';

/**
 * Sessions are found by user name when a user is disabled, removed or changed, and by expiry
 * when the ones never used again are deleted.
 */
export const SESSION_INDEXES: readonly MangoIndex[] = [
  { ddoc: 'idx-name', name: 'name', fields: ['name'] },
  { ddoc: 'idx-expires', name: 'expires', fields: ['expiresAt'] },
];

/** Expired sessions deleted per `_find` and `_bulk_docs` round, and rounds per call (the next call goes on). */
const EXPIRED_PER_ROUND = 500;
const EXPIRED_ROUNDS = 100;

/** Deletes every login session of a user; returns the ids of the deleted session docs. */
export async function deleteUserSessions(couch: CouchAdmin, name: string): Promise<string[]> {
  // A proxy renewing a session's cookie meanwhile makes its deletion conflict: find it again.
  return deleteSessions(couch, { name }, 100_000, 5);
}

/**
 * Deletes the sessions that expired before `now`. The proxy deletes an expired session when its
 * cookie comes back; one never used again (a browser cleared, a tablet replaced) would stay in
 * the database for good without this. Returns the ids of the deleted session docs.
 */
export async function deleteExpiredSessions(couch: CouchAdmin, now: number): Promise<string[]> {
  // A session slid forward meanwhile conflicts and is left: it is live again. `$gt: 0`: PouchDB
  // Server 4.2 indexes a doc without the field under null, which sorts before every number.
  return deleteSessions(couch, { expiresAt: { $gt: 0, $lt: now } }, EXPIRED_PER_ROUND, EXPIRED_ROUNDS);
}

/** Deletes the session docs `selector` finds, `limit` a round, until none is found or `rounds` ran. */
async function deleteSessions(couch: CouchAdmin, selector: MangoSelector, limit: number, rounds: number): Promise<string[]> {
  const db = couch.use(SESSIONS_DB);
  const deleted: string[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // No `fields`: the user CLI and the proxy (seeing the `_users` change) both end a
      // user's sessions, and PouchDB Server 4.2's `_find` fails (400) picking the fields of a
      // doc deleted since its index listed it. Without them it lists such a doc as null.
      const found = (await db.find({ selector, limit })).docs as ({ _id: string; _rev: string } | null)[];
      if (found.length === 0) break;
      // A round of only such nulls goes on: the docs after them are not listed yet.
      const docs = found.filter((doc) => doc !== null);
      const results = await db.bulk({ docs: docs.map((doc) => ({ _id: doc._id, _rev: doc._rev, _deleted: true })) });
      deleted.push(...results.filter((result) => !result.error).map((result) => result.id));
    }
    return deleted;
  } catch (error) {
    // Not bootstrapped yet: there are no sessions to end.
    if (isNotFound(error)) return deleted;
    throw error;
  }
}
