import type { CouchAdmin } from './couch-admin';
import type { FieldbookRole } from '../domain/roles';
import { isOperatorAdmin, isServerAdmin } from './server-admins';
import { fieldbookUserOf, getUser, listUsers, type FieldbookUser } from './user-docs';
import { createUser, disableUser, enableUser, isServerAdminUser, removeUser, setPassword, setRole } from './users';

/** What the admin API may do to logins: the user CLI's commands, run as the server admin the proxy holds. */
export interface UserAccounts {
  list(): Promise<FieldbookUser[]>;
  get(name: string): Promise<FieldbookUser | null>;
  /**
   * A server admin Fieldbook does not manage: the one the proxy acts as, or one of the
   * configuration's without a Fieldbook role (`user`: what `get` just said of the name).
   */
  isOperatorAdmin(name: string, user: FieldbookUser | null): Promise<boolean>;
  /**
   * Whether `name` is an admin now, as `_users` and the configuration say: a session's roles
   * are the ones CouchDB logged them in with, which its login cache keeps a moment after a demotion.
   */
  isCurrentAdmin(name: string): Promise<boolean>;
  /** A new login: refused (UserRefused `exists`) if the name is taken, also by another admin's add racing this one. */
  add(name: string, role: FieldbookRole, password: string): Promise<void>;
  setPassword(name: string, password: string): Promise<void>;
  /** Keeps the password: an admin signs in as server admin with the one they had. */
  setRole(name: string, role: FieldbookRole): Promise<void>;
  disable(name: string): Promise<void>;
  enable(name: string, password: string): Promise<void>;
  /** The login, its replication jobs and its access go; its data stays, locked to server admins. */
  remove(name: string): Promise<void>;
}

export function userAccounts(couch: CouchAdmin): UserAccounts {
  return {
    list: () => listUsers(couch),
    get: async (name) => {
      const doc = await getUser(couch, name);
      return doc && fieldbookUserOf(doc);
    },
    isOperatorAdmin: (name, user) => isOperatorAdmin(couch, name, user?.role ?? null),
    isCurrentAdmin: async (name) => {
      const doc = await getUser(couch, name);
      const user = doc && fieldbookUserOf(doc);
      // Without a Fieldbook role only a server admin of the configuration is one.
      return user?.role ? isServerAdminUser(user) : isServerAdmin(couch, name);
    },
    add: (name, role, password) => createUser(couch, name, password, role),
    setPassword: (name, password) => setPassword(couch, name, password),
    setRole: (name, role) => setRole(couch, name, role),
    disable: (name) => disableUser(couch, name),
    enable: (name, password) => enableUser(couch, name, password),
    remove: (name) => removeUser(couch, name),
  };
}
