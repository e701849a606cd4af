import { randomBytes } from 'node:crypto';
import { isConflict, type CouchAdmin } from './couch-admin';
import { ensureDatabase, ensureFieldbookDesign, ensureSecurity, isLockedDatabase, lockDatabase } from './database-setup';
import { partnerDbName } from '../domain/db-names';
import { assertPartnerName, provisionPartnerDb } from './partner-db';
import { ensureReplicationJobs } from './replication-jobs';
import { passwordProblem } from '../domain/password-rule';
import { userNameProblem } from '../domain/user-name';
import { assertRole, couchRolesFor, hasPersonalDb, isServerAdminRole, type FieldbookRole } from '../domain/roles';
import { membersOnly } from './security';
import { isOperatorAdmin, removeServerAdmin, setServerAdminOf } from './server-admins';
import { userDbName } from '../domain/user-db-name';
import { fieldbookUserOf, getUser, userDocId, type FieldbookUser, type UserDoc } from './user-docs';
import { deleteUserSessions } from './user-sessions';
import { UserRefused } from './user-refused';
import { untilLoginWorks } from './login-cache';
import type { UserReason } from '../domain/api-reasons';

export type { FieldbookRole } from '../domain/roles';

export function assertUserName(name: string): void {
  const problem = userNameProblem(name);
  if (problem) throw new Error(problem);
}

/** Creates the user, or gives an existing one this role and password (enabling them), and provisions what the role needs. */
export async function addUser(couch: CouchAdmin, name: string, password: string, role: FieldbookRole): Promise<void> {
  await saveLogin(couch, name, password, role, await getUser(couch, name));
}

/** Creates the user only: refused (`exists`) if the name is taken, also by another admin's add racing this one. */
export async function createUser(couch: CouchAdmin, name: string, password: string, role: FieldbookRole): Promise<void> {
  await saveLogin(couch, name, password, role, null);
}

export async function setPassword(couch: CouchAdmin, name: string, password: string): Promise<void> {
  assertPassword(password);
  const user = await existingUser(couch, name);
  // Checked on the revision saved over: another admin may have disabled them since the admin API looked.
  if (fieldbookUserOf(user).disabled) throw new UserRefused('disabled', name);
  await changeUser(couch, { ...user, password });
}

/** A new role, the password kept: an admin's server admin entry is made of the hash the login holds (setServerAdminOf). */
export async function setRole(couch: CouchAdmin, name: string, role: FieldbookRole): Promise<void> {
  assertRole(role);
  if (role === 'partner') assertPartnerName(name);
  const user = await existingUser(couch, name);
  const { disabled } = fieldbookUserOf(user);
  await changeUser(couch, { ...user, fieldbook_role: role, roles: disabled ? [] : couchRolesFor(role) });
}

/**
 * Locks the user out at once: no roles, a random password (which also invalidates CouchDB's
 * cookies of them, as they are signed with the password's salt), no sessions. Their data and
 * replication jobs stay; the proxy cuts their open feeds when it sees the change.
 */
export async function disableUser(couch: CouchAdmin, name: string): Promise<void> {
  const user = await existingUser(couch, name);
  const { role } = fieldbookUserOf(user);
  await changeUser(couch, {
    ...user,
    roles: [],
    fieldbook_role: role ?? undefined,
    fieldbook_disabled: true,
    password: randomBytes(32).toString('base64url'),
  });
}

export async function enableUser(couch: CouchAdmin, name: string, password: string): Promise<void> {
  const user = await existingUser(couch, name);
  const { role, disabled } = fieldbookUserOf(user);
  // Checked on the revision saved over: another admin's enable meanwhile is a conflict, not overwritten.
  if (!disabled) throw new UserRefused('notDisabled', name);
  if (!role) throw new Error(`"${name}" has no Fieldbook role: use "add" with --role`);
  await saveLogin(couch, name, password, role, user);
}

/** Removes the login, the replication jobs and every access to the user's databases; the data stays for audit. */
export async function removeUser(couch: CouchAdmin, name: string): Promise<void> {
  const user = await existingUser(couch, name);
  try {
    // The login goes last: a removal that fails before can be run again, by its name.
    await closeAccess(couch, name);
    await unlessChangedMeanwhile(name, 'changedMeanwhile', couch.use('_users').destroy(user._id, user._rev!));
  } finally {
    // Another admin's change saved meanwhile may have given some of it back, or lost its server admin entry to ours.
    await matchStoredUser(couch, name);
  }
  await deleteUserSessions(couch, name);
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

/**
 * Every change to a login. The `_users` doc is saved first, so a conflict with another
 * admin's change leaves everything as it was; the doc's change is also what the proxy reacts
 * to (it ends sessions and re-checks logins). The server admin entry, the databases and the
 * replication jobs follow the doc as stored, also when another admin changed or removed the
 * login since our save; at the end, also after a failure, the server is made to match the doc
 * as stored then.
 */
async function changeUser(couch: CouchAdmin, doc: UserDoc): Promise<void> {
  const saved = await unlessChangedMeanwhile(doc.name, doc._rev ? 'changedMeanwhile' : 'exists', couch.use<UserDoc>('_users').insert(doc));
  try {
    // Before the wait below: a server admin logs in with the entry's password.
    const ours = (await matchStoredUser(couch, doc.name)) === saved.rev;
    // A new user has nothing cached to wait for; a password another change replaced never logs in.
    if (doc.password && doc._rev && ours) await untilLoginWorks(couch, doc.name, doc.password);
    // Every change ends the login's sessions: they carry the old roles, or should not exist.
    await deleteUserSessions(couch, doc.name);
  } finally {
    await matchStoredUser(couch, doc.name);
  }
}

/**
 * The login as `existing` (null: none yet) with this role and password, enabled, saved over that
 * revision: a login another admin made or changed since it was read is refused, not overwritten.
 */
async function saveLogin(couch: CouchAdmin, name: string, password: string, role: FieldbookRole, existing: UserDoc | null): Promise<void> {
  assertUserName(name);
  assertRole(role);
  if (role === 'partner') assertPartnerName(name);
  assertPassword(password);
  await assertManageable(couch, name, existing);
  if (!existing) await assertNoLockedData(couch, name);
  const { fieldbook_disabled: _wasDisabled, ...kept } = existing ?? ({} as Partial<UserDoc>);
  const doc: UserDoc = { ...kept, _id: userDocId(name), name, type: 'user', roles: couchRolesFor(role), fieldbook_role: role, password };
  await changeUser(couch, doc);
}

/** A write of the login's doc; CouchDB's conflict (another admin wrote it since we read it) as the refusal `kind`. */
async function unlessChangedMeanwhile<T>(name: string, kind: UserReason, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isConflict(error)) throw new UserRefused(kind, name);
    throw error;
  }
}

/**
 * Makes the server match the login as stored: a server admin entry exactly while it is an
 * enabled admin, the databases and replication jobs of its role, nothing at all once it is
 * removed. Neither the config nor the security objects have revisions to write against, so
 * the login is read again after, and matched again if a change was saved meanwhile: whichever
 * change is saved last, its own matching (or a later round of an earlier one) writes last, so
 * the entry never outlives a disabling nor goes missing after an enable, and an earlier role's
 * provisioning finishing late does not take the later role's jobs and databases away.
 * The revision matched, null for a removed login.
 */
async function matchStoredUser(couch: CouchAdmin, name: string): Promise<string | null> {
  let stored = await getUser(couch, name);
  for (;;) {
    if (stored) await matchLogin(couch, stored);
    else await closeAccess(couch, name);
    const now = await getUser(couch, name);
    if (now?._rev === stored?._rev) return now?._rev ?? null;
    stored = now;
  }
}

/** What a stored login opens: its server admin entry (while an enabled admin) and what its role needs, no more. */
async function matchLogin(couch: CouchAdmin, stored: UserDoc): Promise<void> {
  const user = fieldbookUserOf(stored);
  if (isServerAdminUser(user)) await setServerAdminOf(couch, stored);
  else await removeServerAdmin(couch, user.name);
  await provisionUser(couch, user);
  if (user.role) await lockOtherRolesDatabases(couch, user.name, user.role);
}

/** Whether the login should be a server admin: an enabled Fieldbook admin. */
export function isServerAdminUser({ role, disabled }: FieldbookUser): boolean {
  return role !== null && isServerAdminRole(role) && !disabled;
}

/** Closes what a login opens: its server admin entry, its replication jobs and its databases (their data stays). Idempotent. */
async function closeAccess(couch: CouchAdmin, name: string): Promise<void> {
  await removeServerAdmin(couch, name);
  await ensureReplicationJobs(couch, name, null);
  for (const dbName of databasesOf(name)) await lockDatabase(couch, dbName);
}

/** A new login must not open the data of a removed one of the same name, which stays locked to server admins. */
async function assertNoLockedData(couch: CouchAdmin, name: string): Promise<void> {
  for (const dbName of databasesOf(name)) if (await isLockedDatabase(couch, dbName)) throw new UserRefused('lockedData', name);
}

/** The databases a login of this name may have had. */
function databasesOf(name: string): string[] {
  return [userDbName(name), partnerDbName(name)];
}

/** Locks the databases another role of the login's (before a role change) used that this one does not; missing ones are fine. */
async function lockOtherRolesDatabases(couch: CouchAdmin, name: string, role: FieldbookRole): Promise<void> {
  if (!hasPersonalDb(role)) await lockDatabase(couch, userDbName(name));
  if (role !== 'partner') await lockDatabase(couch, partnerDbName(name));
}

async function existingUser(couch: CouchAdmin, name: string): Promise<UserDoc> {
  const user = await getUser(couch, name);
  await assertManageable(couch, name, user);
  // Another admin may have removed them since the admin API looked.
  if (!user) throw new UserRefused('missing', name);
  return user;
}

function assertPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
}

/** The server admins of CouchDB's configuration are not Fieldbook's to change: the CLI refuses as the admin API does. */
async function assertManageable(couch: CouchAdmin, name: string, user: UserDoc | null): Promise<void> {
  if (await isOperatorAdmin(couch, name, user && fieldbookUserOf(user).role)) throw new UserRefused('operatorAdmin', name);
}
