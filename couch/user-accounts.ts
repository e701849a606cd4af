import type { CouchAdmin } from './couch-admin';
import type { FieldbookRole } from '../domain/roles';
import { isOperatorAdmin } from './server-admins';
import { fieldbookUserOf, getUser, listUsers, type FieldbookUser } from './user-docs';
import { addUser, disableUser, enableUser, removeUser, setPassword, setRole } from './users';

/** What the admin API may do to logins: the user CLI's commands, run as the server admin the proxy holds. */
export interface UserAccounts {
  list(): Promise<FieldbookUser[]>;
  get(name: string): Promise<FieldbookUser | null>;
  /**
   * A server admin Fieldbook does not manage: the one the proxy acts as, or one of the
   * configuration's without a Fieldbook role (`user`: what `get` just said of the name).
   */
  isOperatorAdmin(name: string, user: FieldbookUser | null): Promise<boolean>;
  add(name: string, role: FieldbookRole, password: string): Promise<void>;
  setPassword(name: string, password: string): Promise<void>;
  /** Making someone an admin takes the password they sign in with (else UserRefused). */
  setRole(name: string, role: FieldbookRole, password?: string): Promise<void>;
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
    add: (name, role, password) => addUser(couch, name, password, role),
    setPassword: (name, password) => setPassword(couch, name, password),
    setRole: (name, role, password) => setRole(couch, name, role, password),
    disable: (name) => disableUser(couch, name),
    enable: (name, password) => enableUser(couch, name, password),
    remove: (name) => removeUser(couch, name),
  };
}
