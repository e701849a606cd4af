import { Database, PouchDB } from '../core/pouchdb';

// Documents and revision trees come from the fixtures module shared with the Node tests and benchmarks.
export { deletionOf, editOf, resolvedOnTwoTablets, rootInspection, storeRevisions } from '../../../test/fixtures/documents';

/**
 * A stand-in for the server: a browser database that, unlike the app's local one, does not
 * compact, so common ancestors stay available there.
 */
export function fakeServer(prefix: string) {
  const databases = new Map<string, Database>();
  const open = (userDb: string) => {
    if (!databases.has(userDb)) databases.set(userDb, new PouchDB<object>(`${prefix}server-${userDb}`));
    return databases.get(userDb)!;
  };
  return { open, destroy: () => Promise.all([...databases.values()].map((db) => db.destroy())) };
}
