import { userDbName } from '../couch/user-db-name';
import type { Caller, DbAccess } from './access-policy';

/** The databases a caller may reach through the proxy, and how. */
export function grantsFor(caller: Caller): Map<string, DbAccess> {
  return new Map<string, DbAccess>([[userDbName(caller.name), 'readwrite']]);
}
