import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { isConflict, isNotFound, type CouchAdmin } from '../couch/couch-admin';
import { SESSIONS_DB } from '../couch/user-sessions';

/** Beside the sessions, admin-only; a `_local` doc, so never in the sessions feed nor replicated. */
const KEY_DOC = '_local/device-cookie-key';

/**
 * The key device cookies are signed with (device-cookie.ts), one for every proxy process on this
 * CouchDB (cluster workers, several hosts): the first to need it makes it, the rest read it. A
 * key of each process's own would refuse a cookie another one issued. Read once; a failed read
 * (CouchDB unreachable, not bootstrapped yet) is tried again next time.
 */
export function deviceKeyIn(couch: CouchAdmin): () => Promise<KeyObject> {
  let key: Promise<KeyObject> | null = null;
  return () =>
    (key ??= readOrMake(couch).catch((error: unknown) => {
      key = null;
      throw error;
    }));
}

async function readOrMake(couch: CouchAdmin): Promise<KeyObject> {
  const db = couch.use<{ key: string }>(SESSIONS_DB);
  const read = async () => createSecretKey((await db.get(KEY_DOC)).key, 'base64');
  try {
    return await read();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const key = randomBytes(32).toString('base64');
  try {
    await db.insert({ _id: KEY_DOC, key });
    return createSecretKey(key, 'base64');
  } catch (error) {
    // Another process made it meanwhile: theirs is the one.
    if (!isConflict(error)) throw error;
    return read();
  }
}
