import { roleOfCouchRoles } from '../domain/roles';
import type { Caller } from './access-policy';

/** Fieldbook admins and CouchDB server admins: Fauxton and the admin API are theirs alone. */
export function isAdminCaller(caller: Caller): boolean {
  return roleOfCouchRoles(caller.roles) === 'admin';
}
