import type { NextFunction, Request, Response } from 'express';
import { roleOfCouchRoles } from '../domain/roles';
import type { Caller } from './access-policy';
import type { Authenticator, Identity } from './authenticate';
import { forbidden, sendCouchError, unauthorized } from './couch-error';

/** Fieldbook admins and CouchDB server admins: Fauxton and the admin API are theirs alone. */
export function isAdminCaller(caller: Caller): boolean {
  return roleOfCouchRoles(caller.roles) === 'admin';
}

/** The admin making the request, set by `adminsOnly`. */
export interface AdminLocals {
  admin: string;
  identity: Identity;
}

/** How an admin API tells an admin: who calls, and whether their account is an admin's now. */
export interface AdminCheck {
  authenticator: Authenticator;
  /** Asked of `_users` (UserAccounts.isCurrentAdmin), within the proxy's answer limit. */
  isCurrentAdmin(name: string): Promise<boolean>;
}

/** Middleware of an admin API: 401 without a login, 403 (with `refusal`) for anyone but an admin. */
export function adminsOnly({ authenticator, isCurrentAdmin }: AdminCheck, refusal: string) {
  return async (req: Request, res: Response<unknown, AdminLocals>, next: NextFunction) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    if (!isAdminCaller(identity.caller)) return sendCouchError(res, forbidden(refusal));
    // The roles a session keeps are CouchDB's at login, and its login cache still logs a demoted
    // or removed admin in as one a moment after the change; the admin API acts as server admin,
    // so the account itself is asked on every call (admin calls are rare).
    if (!(await isCurrentAdmin(identity.caller.name))) return sendCouchError(res, forbidden(refusal));
    res.locals.admin = identity.caller.name;
    res.locals.identity = identity;
    next();
  };
}
