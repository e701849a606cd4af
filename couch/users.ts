import { randomBytes } from 'node:crypto';
import type { CouchAdmin } from './couch-admin';
import { ensureDatabase, ensureFieldbookDesign, ensureSecurity, lockDatabase } from './database-setup';
import { partnerDbName } from '../domain/db-names';
import { assertPartnerName, provisionPartnerDb } from './partner-db';
import { ensureReplicationJobs } from './replication-jobs';
import { passwordProblem } from '../domain/password-rule';
import { userNameProblem } from '../domain/user-name';
import { assertRole, couchRolesFor, hasPersonalDb, isServerAdminRole, roleChangeNeedsPassword, type FieldbookRole } from '../domain/roles';
import { membersOnly } from './security';
import { actingAdminName, removeServerAdmin, setServerAdmin } from './server-admins';
import { userDbName } from '../domain/user-db-name';
import { fieldbookUserOf, getUser, userDocId, type FieldbookUser, type UserDoc } from './user-docs';
import { deleteUserSessions } from './user-sessions';
import { UserRefused } from './user-refused';
import { loginWorks, untilLoginWorks } from './login-cache';

export type { FieldbookRole } from '../domain/roles';

export function assertUserName(name: string): void {
  const problem = userNameProblem(name);
  if (problem) throw new Error(problem);
}

/*
 * Order matters below: the server admin entry changes first, the `_users` doc last, because
 * the doc's change is what the proxy reacts to (it ends sessions and re-checks logins then).
 */

/** Creates the user, or gives an existing one this role and password (enabling them), and provisions what the role needs. */
export async function addUser(couch: CouchAdmin, name: string, password: string, role: FieldbookRole): Promise<void> {
  assertUserName(name);
  assertRole(role);
  assertManageable(couch, name);
  if (role === 'partner') assertPartnerName(name);
  assertPassword(password);
  const existing = await getUser(couch, name);
  const { fieldbook_disabled: _wasDisabled, ...kept } = existing ?? ({} as Partial<UserDoc>);
  await updateServerAdmin(couch, name, role, password);
  await saveUser(couch, { ...kept, _id: userDocId(name), name, type: 'user', roles: couchRolesFor(role), fieldbook_role: role, password });
  await provisionForRole(couch, name, existing ? fieldbookUserOf(existing).role : null, role);
}

export async function setPassword(couch: CouchAdmin, name: string, password: string): Promise<void> {
  assertPassword(password);
  const user = await existingUser(couch, name);
  const { role, disabled } = fieldbookUserOf(user);
  if (disabled) throw new Error(`"${name}" is disabled: enable them with a new password instead`);
  if (role) await updateServerAdmin(couch, name, role, password);
  await saveUser(couch, { ...user, password });
}

export async function setRole(couch: CouchAdmin, name: string, role: FieldbookRole, password?: string): Promise<void> {
  assertRole(role);
  if (role === 'partner') assertPartnerName(name);
  const user = await existingUser(couch, name);
  const current = fieldbookUserOf(user);
  const { role: oldRole, disabled } = current;
  const needsPassword = roleChangeNeedsPassword(current, role);
  if (needsPassword) {
    if (!password) throw new UserRefused('adminNeedsPassword', name);
    // The server admin entry would make it their password: a mistyped one must not replace theirs.
    if (!(await loginWorks(couch, name, password))) throw new UserRefused('wrongPassword', name);
  }
  // A disabled user gets their server admin entry back when enabled; a password not checked above is not used.
  if (!disabled) await updateServerAdmin(couch, name, role, needsPassword ? password : undefined);
  await saveUser(couch, { ...user, fieldbook_role: role, roles: disabled ? [] : couchRolesFor(role) });
  await provisionForRole(couch, name, oldRole, role);
}

/**
 * Locks the user out at once: no roles, a random password (which also invalidates CouchDB's
 * cookies of them, as they are signed with the password's salt), no sessions. Their data and
 * replication jobs stay; the proxy cuts their open feeds when it sees the change.
 */
export async function disableUser(couch: CouchAdmin, name: string): Promise<void> {
  const user = await existingUser(couch, name);
  const { role } = fieldbookUserOf(user);
  await removeServerAdmin(couch, name);
  await saveUser(couch, {
    ...user,
    roles: [],
    fieldbook_role: role ?? undefined,
    fieldbook_disabled: true,
    password: randomBytes(32).toString('base64url'),
  });
}

export async function enableUser(couch: CouchAdmin, name: string, password: string): Promise<void> {
  const { role } = fieldbookUserOf(await existingUser(couch, name));
  if (!role) throw new Error(`"${name}" has no Fieldbook role: use "add" with --role`);
  await addUser(couch, name, password, role);
}

/** Removes the login, the replication jobs and every access to the user's databases; the data stays for audit. */
export async function removeUser(couch: CouchAdmin, name: string): Promise<void> {
  const user = await existingUser(couch, name);
  await removeServerAdmin(couch, name);
  await couch.use('_users').destroy(user._id, user._rev!);
  await deleteUserSessions(couch, name);
  await ensureReplicationJobs(couch, name, null);
  await lockDatabase(couch, userDbName(name));
  await lockDatabase(couch, partnerDbName(name));
}

/** What the role needs: databases with their security and design docs, and replication jobs. Idempotent. */
export async function provisionUser(couch: CouchAdmin, { name, role }: Pick<FieldbookUser, 'name' | 'role'>): Promise<void> {
  if (role && hasPersonalDb(role)) {
    const dbName = userDbName(name);
    await ensureDatabase(couch, dbName);
    await ensureSecurity(couch, dbName, membersOnly([name]));
    await ensureFieldbookDesign(couch, dbName);
  }
  if (role === 'partner') await provisionPartnerDb(couch, name);
  await ensureReplicationJobs(couch, name, role);
}

/** A server admin entry for admins (rewritten when their password is given), none for anyone else. */
async function updateServerAdmin(couch: CouchAdmin, name: string, role: FieldbookRole, password?: string): Promise<void> {
  if (!isServerAdminRole(role)) await removeServerAdmin(couch, name);
  else if (password) await setServerAdmin(couch, name, password);
}

/** Provisions the new role and locks the databases an old role used that the new one does not. */
async function provisionForRole(couch: CouchAdmin, name: string, oldRole: FieldbookRole | null, role: FieldbookRole): Promise<void> {
  await provisionUser(couch, { name, role });
  if (!oldRole || oldRole === role) return;
  if (!hasPersonalDb(role)) await lockDatabase(couch, userDbName(name));
  if (role !== 'partner') await lockDatabase(couch, partnerDbName(name));
}

async function existingUser(couch: CouchAdmin, name: string): Promise<UserDoc> {
  assertManageable(couch, name);
  const user = await getUser(couch, name);
  if (!user) throw new Error(`no user "${name}"`);
  return user;
}

/** Every change to a login ends its sessions: they carry the old roles, or should not exist. */
async function saveUser(couch: CouchAdmin, doc: UserDoc): Promise<void> {
  await couch.use<UserDoc>('_users').insert(doc);
  // A new user has nothing cached to wait for.
  if (doc.password && doc._rev) await untilLoginWorks(couch, doc.name, doc.password);
  await deleteUserSessions(couch, doc.name);
}

function assertPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
}

function assertManageable(couch: CouchAdmin, name: string): void {
  if (name === actingAdminName(couch))
    throw new Error(`"${name}" is the server admin this tool acts as; manage it in CouchDB's configuration`);
}
