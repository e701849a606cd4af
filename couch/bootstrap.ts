import type { CouchAdmin } from './couch-admin';
import { ensureDatabase, ensureSecurity } from './database-setup';
import { adminOnly } from './security';
import { setServerConfig } from './server-config';
import { listUsers, provisionUser } from './users';

/** Where the proxy keeps login sessions, so they survive its restarts. */
export const SESSIONS_DB = 'fieldbook-sessions';

export interface BootstrapOptions {
  /** How long a login lasts without use; CouchDB's own default is 10 minutes. */
  sessionTimeoutSeconds: number;
}

/** Brings a CouchDB (or PouchDB Server) to Fieldbook's shape; safe to run on every start. */
export async function bootstrap(couch: CouchAdmin, options: BootstrapOptions): Promise<void> {
  for (const systemDb of ['_users', '_replicator']) await ensureDatabase(couch, systemDb);
  await ensureDatabase(couch, SESSIONS_DB);
  await ensureSecurity(couch, SESSIONS_DB, adminOnly());
  await setServerConfig(couch, 'chttpd_auth', 'timeout', String(options.sessionTimeoutSeconds));
  for (const user of await listUsers(couch)) await provisionUser(couch, user.name);
}
