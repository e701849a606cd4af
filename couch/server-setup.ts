import { bootstrap } from './bootstrap';
import { couchAdmin, type CouchAdmin } from './couch-admin';
import { askServer, serverProblem } from './server-check';
import { actingAdminName } from './server-admins';
import { getUser } from './user-docs';
import { addUser, type FieldbookRole } from './users';

export const DEMO_USERS: [string, FieldbookRole][] = [
  ['alice', 'inspector'],
  ['bob', 'inspector'],
  ['sam', 'supervisor'],
  ['acme', 'partner'],
  // Not "admin": most CouchDB installs call their server admin that.
  ['ada', 'admin'],
];

export interface ServerSetup {
  couch: CouchAdmin;
  /** The demo logins that exist now (all but one named like the server admin). */
  demoUsers: [string, FieldbookRole][];
}

/**
 * Checks the server at `adminUrl` (one sentence thrown if Fieldbook cannot use it),
 * bootstraps it, and with `demoPassword` adds the demo users that are missing. What npm
 * start does before it starts the proxy, and all the container's bootstrap does.
 */
export async function setUpServer(adminUrl: string, options: { sessionDays: number; demoPassword?: string }): Promise<ServerSetup> {
  const problem = serverProblem(adminUrl, await askServer(adminUrl));
  if (problem) throw new Error(problem);
  const couch = couchAdmin(adminUrl);
  await bootstrap(couch, { sessionTimeoutSeconds: options.sessionDays * 24 * 3600 });
  const demoPassword = options.demoPassword;
  // The server admin the tool acts as is CouchDB's own account, never a demo login.
  const demoUsers = demoPassword === undefined ? [] : DEMO_USERS.filter(([name]) => name !== actingAdminName(couch));
  for (const [name, role] of demoUsers) {
    if (!(await getUser(couch, name))) await addUser(couch, name, demoPassword!, role);
  }
  return { couch, demoUsers };
}
