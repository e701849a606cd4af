import type { Request, Response } from 'express';
import { API_REASONS } from '../domain/api-reasons';
import { directoryOf } from '../domain/directory';
import { roleOfCouchRoles, worksInHub, type FieldbookRole } from '../domain/roles';
import type { FieldbookUser } from '../couch/user-docs';
import type { AdminCheck } from './admin-caller';
import { badGateway, forbidden, sendCouchError, unauthorized } from './couch-error';

interface DirectoryRouteDeps {
  /** Who calls, and whether their account is an admin's now. */
  admins: AdminCheck;
  /** The login's Fieldbook role now, from `_users` (null: no such login), as a new session's is checked. */
  currentLogin(name: string): Promise<{ role: FieldbookRole | null; disabled: boolean } | null>;
  /** Every user, read by the proxy as server admin: `_users` shows a user only their own doc. */
  listUsers: () => Promise<FieldbookUser[]>;
}

const REFUSAL = 'Only supervisors and administrators may list users.';

/** `GET /api/directory`: for supervisors and admins only, the names and nothing else of users. */
export function directoryRoute({ admins, currentLogin, listUsers }: DirectoryRouteDeps) {
  /**
   * Whether the login works in the hub now. A session keeps the roles it logged in with: the
   * proxy ends a login's sessions when it sees its `_users` doc change, but not a change made
   * while no proxy ran, nor a server admin removed from the configuration (no doc changes).
   */
  const worksInHubNow = async (name: string) => {
    const login = await currentLogin(name);
    return (login?.role === 'supervisor' && !login.disabled) || (await admins.isCurrentAdmin(name));
  };

  return async (req: Request, res: Response) => {
    const identity = await admins.authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    const role = roleOfCouchRoles(identity.caller.roles);
    if (!role || !worksInHub(role)) return sendCouchError(res, forbidden(REFUSAL));
    let users;
    try {
      if (!(await worksInHubNow(identity.caller.name))) return sendCouchError(res, forbidden(REFUSAL));
      users = await listUsers();
    } catch (error) {
      req.log?.warn({ error: (error as Error).message }, 'could not list users');
      return sendCouchError(res, badGateway(API_REASONS.usersUnlisted));
    }
    res.set('Cache-Control', 'no-store').json(directoryOf(users));
  };
}
