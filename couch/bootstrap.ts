import type { CouchAdmin } from './couch-admin';
import { ensureDatabase, ensureMangoIndexes, ensureSecurity } from './database-setup';
import { ensureHub } from './hub';
import { SETTINGS_DB } from '../domain/archive-settings';
import { adminOnly } from './security';
import { setServerConfig } from './server-config';
import { SESSION_INDEXES, SESSIONS_DB } from './user-sessions';
import { listUsers } from './user-docs';
import { provisionUser } from './users';

export interface BootstrapOptions {
  /** How long a login lasts without use; CouchDB's own default is 10 minutes. */
  sessionTimeoutSeconds: number;
}

/** Brings a CouchDB (or PouchDB Server) to Fieldbook's shape; safe to run on every start. */
export async function bootstrap(couch: CouchAdmin, options: BootstrapOptions): Promise<void> {
  for (const systemDb of ['_users', '_replicator']) await ensureDatabase(couch, systemDb);
  // Replication jobs carry the server admin's credentials on CouchDB.
  await ensureSecurity(couch, '_replicator', adminOnly());
  await ensureDatabase(couch, SESSIONS_DB);
  await ensureSecurity(couch, SESSIONS_DB, adminOnly());
  await ensureMangoIndexes(couch, SESSIONS_DB, SESSION_INDEXES);
  await setServerConfig(couch, 'chttpd_auth', 'timeout', String(options.sessionTimeoutSeconds));
  // The server-side settings: the proxy serves what users may read of them.
  await ensureDatabase(couch, SETTINGS_DB);
  await ensureSecurity(couch, SETTINGS_DB, adminOnly());
  await ensureHub(couch);
  for (const user of await listUsers(couch)) await provisionUser(couch, user);
}
