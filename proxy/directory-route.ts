import type { Request, Response } from 'express';
import { API_REASONS } from '../domain/api-reasons';
import { directoryOf } from '../domain/directory';
import { roleOfCouchRoles, worksInHub } from '../domain/roles';
import type { FieldbookUser } from '../couch/user-docs';
import type { Authenticator } from './authenticate';
import { badGateway, forbidden, sendCouchError, unauthorized } from './couch-error';

interface DirectoryRouteDeps {
  authenticator: Authenticator;
  /** Every user, read by the proxy as server admin: `_users` shows a user only their own doc. */
  listUsers: () => Promise<FieldbookUser[]>;
}

/** `GET /api/directory`: for supervisors and admins only, the names and nothing else of users. */
export function directoryRoute({ authenticator, listUsers }: DirectoryRouteDeps) {
  return async (req: Request, res: Response) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    const role = roleOfCouchRoles(identity.caller.roles);
    if (!role || !worksInHub(role)) return sendCouchError(res, forbidden('Only supervisors and administrators may list users.'));
    let users;
    try {
      users = await listUsers();
    } catch (error) {
      req.log?.warn({ error: (error as Error).message }, 'could not list users');
      return sendCouchError(res, badGateway(API_REASONS.usersUnlisted));
    }
    res.set('Cache-Control', 'no-store').json(directoryOf(users));
  };
}
