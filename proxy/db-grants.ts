import { HUB_DB, partnerDbName } from '../domain/db-names';
import { hasPersonalDb, roleOfCouchRoles, worksInHub } from '../domain/roles';
import { userDbName } from '../domain/user-db-name';
import { decide, type Caller, type DbAccess } from './access-policy';
import type { ForwardPolicy } from './couch-forward';

/** The databases a caller may reach through the proxy, and how: by their Fieldbook role. */
export function grantsFor(caller: Caller): Map<string, DbAccess> {
  const grants = new Map<string, DbAccess>();
  const role = roleOfCouchRoles(caller.roles);
  if (!role) return grants;
  if (hasPersonalDb(role)) grants.set(userDbName(caller.name), 'readwrite');
  if (worksInHub(role)) grants.set(HUB_DB, 'readwrite');
  // Partners replicate their copy out; their checkpoints are `_local` docs, which `read` allows.
  if (role === 'partner') grants.set(partnerDbName(caller.name), 'read');
  return grants;
}

/** `/db/*`: the access policy applied to the caller's grants. */
export const databasePolicy: ForwardPolicy = (method, rawPath, query, caller) => decide(method, rawPath, query, grantsFor(caller));
