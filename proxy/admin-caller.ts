import type { NextFunction, Request, Response } from 'express';
import { roleOfCouchRoles } from '../domain/roles';
import type { Caller } from './access-policy';
import type { Authenticator } from './authenticate';
import { forbidden, sendCouchError, unauthorized } from './couch-error';

/** Fieldbook admins and CouchDB server admins: Fauxton and the admin API are theirs alone. */
export function isAdminCaller(caller: Caller): boolean {
  return roleOfCouchRoles(caller.roles) === 'admin';
}

/** The admin making the request, set by `adminsOnly`. */
export interface AdminLocals {
  admin: string;
}

/** Middleware of an admin API: 401 without a login, 403 (with `refusal`) for anyone but an admin. */
export function adminsOnly(authenticator: Authenticator, refusal: string) {
  return async (req: Request, res: Response<unknown, AdminLocals>, next: NextFunction) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    if (!isAdminCaller(identity.caller)) return sendCouchError(res, forbidden(refusal));
    res.locals.admin = identity.caller.name;
    next();
  };
}
