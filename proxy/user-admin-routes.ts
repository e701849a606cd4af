import express, { type Request, type Response } from 'express';
import type { UserAccounts } from '../couch/user-accounts';
import { UserRefused } from '../couch/user-refused';
import type { FieldbookUser } from '../couch/user-docs';
import { API_REASONS, ruleReason, USER_REASONS, type UserReason } from '../domain/api-reasons';
import { passwordProblem } from '../domain/password-rule';
import { isFieldbookRole, type FieldbookRole } from '../domain/roles';
import { partnerNameProblem, userNameProblem } from '../domain/user-name';
import { adminsOnly, type AdminCheck, type AdminLocals } from './admin-caller';
import { answerWithin } from './answer-within';
import { badGateway, badRequest, couchSilent, forbidden, notFound, Refused, sendCouchError, type CouchError } from './couch-error';
import { bodyOf, smallJson } from './api-body';

interface UserAdminRouteDeps {
  admins: AdminCheck;
  accounts: UserAccounts;
  /** How long the work of one call may take before the admin is answered 504 (FIELDBOOK_COUCH_ANSWER_MS); it runs on. */
  answerMs: number;
}

const conflict = (reason: string): CouchError => ({ status: 409, error: 'conflict', reason });
const operatorAdmin = (name: string) => forbidden(USER_REASONS.operatorAdmin(name));
/** Refusals for what the login is now, which another admin may just have changed: 409, as CouchDB answers a conflict. */
const CONFLICTS: ReadonlySet<UserReason> = new Set(['exists', 'disabled', 'notDisabled', 'changedMeanwhile']);

/** A refusal of the change itself as the admin API answers it: a login removed meanwhile is a 404, as one never there. */
function userRefusal({ kind, message }: UserRefused): CouchError {
  if (kind === 'missing') return notFound(message);
  return CONFLICTS.has(kind) ? conflict(message) : badRequest(message);
}

/**
 * `/api/admin/users`: Fieldbook admins manage logins from the app, as `npm run user` does.
 * The caller is checked as an admin; the change itself is made as the server admin the proxy
 * holds, because what a login needs (its databases, `_security`, replication jobs whose URLs
 * carry server admin credentials on CouchDB) is server admin work. An admin's own account and
 * the server admins of the configuration are not changed here.
 */
export function userAdminRoutes({ admins, accounts, answerMs }: UserAdminRouteDeps) {
  const router = express.Router();

  router.use(adminsOnly(admins, API_REASONS.usersAdminsOnly));

  router.get('/', async (req: Request, res: Response) => {
    await answer(req, res, async () => (await accounts.list()).sort((a, b) => a.name.localeCompare(b.name)));
  });

  router.post('/', smallJson, async (req: Request, res: Response<unknown, AdminLocals>) => {
    const { name, role, password } = bodyOf(req);
    const refusal = nameProblem(name) ?? roleProblem(name, role) ?? newPasswordProblem(password);
    if (refusal) return sendCouchError(res, refusal);
    const newName = name as string;
    await answer(
      req,
      res,
      async () => {
        if (await accounts.get(newName)) throw new Refused(conflict(USER_REASONS.exists(newName)));
        if (await accounts.isOperatorAdmin(newName, null)) throw new Refused(operatorAdmin(newName));
        await accounts.add(newName, role as FieldbookRole, password as string);
        req.log?.info({ by: res.locals.admin, user: newName, role }, 'login added');
        return { ok: true };
      },
      201,
    );
  });

  router.put('/:name/password', smallJson, async (req: Request, res: Response<unknown, AdminLocals>) => {
    const { password } = bodyOf(req);
    await change(req, res, 'password', newPasswordProblem(password), async (user) => {
      if (user.disabled) throw new Refused(conflict(USER_REASONS.disabled(user.name)));
      await accounts.setPassword(user.name, password as string);
    });
  });

  router.put('/:name/role', smallJson, async (req: Request, res: Response<unknown, AdminLocals>) => {
    const { role } = bodyOf(req);
    await change(req, res, 'role', roleProblem(req.params['name'] as string, role), async (user) => {
      await accounts.setRole(user.name, role as FieldbookRole);
    });
  });

  router.post('/:name/disable', async (req: Request, res: Response<unknown, AdminLocals>) => {
    await change(req, res, 'disable', null, async (user) => {
      await accounts.disable(user.name);
    });
  });

  router.post('/:name/enable', smallJson, async (req: Request, res: Response<unknown, AdminLocals>) => {
    const { password } = bodyOf(req);
    await change(req, res, 'enable', newPasswordProblem(password), async (user) => {
      if (!user.disabled) throw new Refused(conflict(USER_REASONS.notDisabled(user.name)));
      if (!user.role) throw new Refused(badRequest(USER_REASONS.noRole(user.name)));
      await accounts.enable(user.name, password as string);
    });
  });

  router.delete('/:name', async (req: Request, res: Response<unknown, AdminLocals>) => {
    await change(req, res, 'remove', null, async (user) => {
      await accounts.remove(user.name);
    });
  });

  /** A change of an existing user other than the caller: `{ok: true}` once made, or why not (`apply` throws a Refused). */
  async function change(
    req: Request,
    res: Response<unknown, AdminLocals>,
    action: 'password' | 'role' | 'disable' | 'enable' | 'remove',
    inputProblem: CouchError | null,
    apply: (user: FieldbookUser) => Promise<void>,
  ): Promise<void> {
    const name = req.params['name'] as string;
    if (name === res.locals.admin) return sendCouchError(res, forbidden(API_REASONS.ownAccount));
    if (inputProblem) return sendCouchError(res, inputProblem);
    await answer(req, res, async () => {
      const user = await accounts.get(name);
      if (!user) throw new Refused(notFound(USER_REASONS.missing(name)));
      if (await accounts.isOperatorAdmin(name, user)) throw new Refused(operatorAdmin(name));
      await apply(user);
      // Who changed whose login, never the password: the log is the admins' trail.
      req.log?.info(
        { by: res.locals.admin, user: name, action, ...(action === 'role' ? { role: bodyOf(req).role } : {}) },
        'login changed',
      );
      return { ok: true };
    });
  }

  /**
   * Answers what the work returns, or a refusal as itself, any other failure (the database
   * server's) as a 502, logged; a silent server as a 504 at the answer limit, the work running on.
   */
  async function answer(req: Request, res: Response, work: () => Promise<unknown>, status = 200): Promise<void> {
    let body: unknown;
    try {
      body = await answerWithin(work(), answerMs);
    } catch (error) {
      if (error instanceof Refused) return sendCouchError(res, error.refusal);
      if (error instanceof UserRefused) return sendCouchError(res, userRefusal(error));
      req.log?.warn({ error: (error as Error).message }, 'could not manage a user');
      return sendCouchError(res, (error as Error).name === 'TimeoutError' ? couchSilent : badGateway(API_REASONS.changeNotMade));
    }
    res.status(status).set('Cache-Control', 'no-store').json(body);
  }

  return router;
}

function nameProblem(name: unknown): CouchError | null {
  if (typeof name !== 'string') return badRequest('Send the new user\'s "name" as a string.');
  return asRefusal(userNameProblem(name));
}

function roleProblem(name: unknown, role: unknown): CouchError | null {
  if (!isFieldbookRole(role)) return badRequest('Send a "role": inspector, supervisor, admin or partner.');
  return role === 'partner' && typeof name === 'string' ? asRefusal(partnerNameProblem(name)) : null;
}

function newPasswordProblem(password: unknown): CouchError | null {
  return asRefusal(passwordProblem(password));
}

/** A shared rule's reason (a clause) as a 400's sentence. */
function asRefusal(problem: string | null): CouchError | null {
  return problem ? badRequest(ruleReason(problem)) : null;
}
