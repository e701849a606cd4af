import type { CouchAdmin } from './couch-admin';
import { isNotFound } from './couch-admin';
import type { MangoIndex } from '../domain/mango-indexes';

/** Where the proxy keeps login sessions, so they survive its restarts. */
export const SESSIONS_DB = 'fieldbook-sessions';

/** Sessions are found by user name when a user is disabled, removed or changed. */
export const SESSION_INDEXES: readonly MangoIndex[] = [{ ddoc: 'idx-name', name: 'name', fields: ['name'] }];

/** Deletes every login session of a user; returns the ids of the deleted session docs. */
export async function deleteUserSessions(couch: CouchAdmin, name: string): Promise<string[]> {
  const db = couch.use(SESSIONS_DB);
  const deleted: string[] = [];
  try {
    // A proxy renewing a session's cookie meanwhile makes its deletion conflict: find it again.
    for (let attempt = 0; attempt < 5; attempt++) {
      // No `fields`: the user CLI and the proxy (seeing the `_users` change) both end a
      // user's sessions, and PouchDB Server 4.2's `_find` fails (400) picking the fields of a
      // doc deleted since its index listed it. Without them it lists such a doc as null.
      const found = await db.find({ selector: { name }, limit: 100_000 });
      const docs = (found.docs as ({ _id: string; _rev: string } | null)[]).filter((doc) => doc !== null);
      if (docs.length === 0) break;
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
