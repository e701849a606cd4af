import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';
import { LRUCache } from 'lru-cache';
import type { Caller } from './access-policy';
import { DEFAULT_ANSWER_MS } from './answer-within';
import { clientAddressOf, type ClientAddressOf } from './client-address';
import { Refused, tooManyRequests, type CouchError } from './couch-error';
import { LoginThrottle } from './login-throttle';
import type { SessionStore } from './session-store';

export const SESSION_COOKIE = 'fieldbook_session';

/** How the proxy will authenticate the forwarded request to CouchDB, as the caller. */
export type Identity =
  | { kind: 'session'; caller: Caller; sessionId: string; couchCookie: string }
  | { kind: 'basic'; caller: Caller; authorization: string; address: string | undefined };

const BASIC_CACHE_MS = 60_000;
/** Distinct Basic credentials remembered (right or wrong); the least recently used go first. */
const BASIC_CACHE_ENTRIES = 10_000;
/**
 * How long after a login changes CouchDB's answers about it are not cached: CouchDB 3.4's own
 * login cache keeps the old password and roles a moment after the `_users` change the proxy
 * reacts to (the user tool waits up to 5 s for it, couch/login-cache.ts), and the server admin
 * entry changes after the doc (couch/users.ts). Cached, that old answer would last BASIC_CACHE_MS.
 */
const UNSETTLED_MS = 15_000;

/** CouchDB's `[chttpd_auth_lockout] max_lifetime` default: how long its own lockout may last. */
const COUCH_LOCKOUT_S = 300;

/** CouchDB 3.4 refused a login (403) because of its own count of failures, whatever the password. */
export function couchLockout(): CouchError {
  return tooManyRequests(`Too many failed logins; try again in ${COUCH_LOCKOUT_S} seconds.`, COUCH_LOCKOUT_S);
}

/**
 * The header that tells CouchDB whose login the proxy checks. CouchDB 3.4 counts failed logins
 * per name and peer and refuses the pair after 5 (`[chttpd_auth_lockout]`), even the right
 * password, for up to 5 minutes. Its peer is the connection's address, unless that is 127.0.0.1
 * or private (10/8, 172.16/12, 100.64/10, 192.168/16): then the last `X-Forwarded-For` entry
 * (mochiweb 3.2.2). Without it every client would be the proxy, and a stranger's 5 wrong
 * passwords would lock the name out for everyone.
 */
export function clientForCouch(address: string | undefined): Record<string, string> {
  return address ? { 'x-forwarded-for': address } : {};
}

/**
 * The headers that make CouchDB see the caller themselves: their own CouchDB cookie, or Basic
 * credentials with the client's address (CouchDB checks the password again, and counts a failure
 * against that client, not the proxy).
 */
export function couchAuthHeaders(identity: Identity): Record<string, string> {
  return identity.kind === 'session'
    ? { cookie: `AuthSession=${identity.couchCookie}` }
    : { authorization: identity.authorization, ...clientForCouch(identity.address) };
}

/**
 * Finds who is calling: the browser by its session cookie, server-to-server replicators
 * by HTTP Basic auth. Basic credentials are checked by CouchDB itself (`/_session`) and the
 * answer cached briefly, so the proxy knows the real name and roles before it decides.
 */
export class Authenticator {
  /** CouchDB's answer per credentials: the caller, or null for wrong ones (so a retried wrong password costs no hash). */
  private readonly basicCache = new LRUCache<string, { caller: Caller | null }>({ max: BASIC_CACHE_ENTRIES, ttl: BASIC_CACHE_MS });
  /** Basic checks under way, by credentials and client address. */
  private readonly checking = new Map<string, Promise<Caller | null>>();
  /** Names whose login changed in the last UNSETTLED_MS. */
  private readonly unsettled = new LRUCache<string, true>({ max: BASIC_CACHE_ENTRIES, ttl: UNSETTLED_MS });

  constructor(
    private readonly couchUrl: string,
    private readonly sessions: SessionStore,
    private readonly throttle = new LoginThrottle(),
    /** How long CouchDB may take to check Basic credentials before the request is answered 504. */
    private readonly answerMs = DEFAULT_ANSWER_MS,
    /** Where a request comes from: what failed logins are counted by, here and in CouchDB. */
    readonly clientAddress: ClientAddressOf = clientAddressOf([]),
  ) {}

  /**
   * Works on a plain Node request: the `/db` route runs without Express and its cookie parser.
   * Throws Refused (429) for Basic credentials of a name or address that failed too often.
   */
  async identify(req: IncomingMessage): Promise<Identity | null> {
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      const address = this.clientAddress(req);
      const caller = await this.checkBasic(authorization, address);
      return caller && { kind: 'basic', caller, authorization, address };
    }
    const sessionId = req.headers.cookie && parseCookie(req.headers.cookie)[SESSION_COOKIE];
    if (!sessionId) return null;
    const session = await this.sessions.get(sessionId);
    if (!session) return null;
    return { kind: 'session', caller: { name: session.name, roles: session.roles }, sessionId, couchCookie: session.couchCookie };
  }

  /** Drops cached Basic checks so a changed password or a removed user takes effect at once, and caches none of the name's for a while. */
  forgetBasic(name?: string): void {
    if (!name) return this.basicCache.clear();
    this.unsettled.set(name, true);
    // Wrong credentials are dropped too: they may be right after a password change.
    for (const [key, entry] of this.basicCache.entries()) if (!entry.caller || entry.caller.name === name) this.basicCache.delete(key);
  }

  /** Whether the name's login changed a moment ago: CouchDB may still answer about it as it was. */
  isUnsettled(name: string): boolean {
    return this.unsettled.has(name);
  }

  private async checkBasic(authorization: string, address: string | undefined): Promise<Caller | null> {
    const key = createHash('sha256').update(authorization).digest('hex');
    const cached = this.basicCache.get(key);
    if (cached) return cached.caller;
    // A replicator opens its connections together: the same credentials are asked about once.
    const asking = `${key} ${address ?? ''}`;
    const underWay = this.checking.get(asking);
    if (underWay) return underWay;
    const check = this.askCouch(authorization, address, key).finally(() => this.checking.delete(asking));
    this.checking.set(asking, check);
    return check;
  }

  private async askCouch(authorization: string, address: string | undefined, key: string): Promise<Caller | null> {
    const name = basicName(authorization);
    const attempt = await this.throttle.begin(name, address);
    if (!('end' in attempt)) throw new Refused(attempt);
    try {
      const response = await fetch(`${this.couchUrl}/_session`, {
        headers: { authorization, accept: 'application/json', ...clientForCouch(address) },
        signal: AbortSignal.timeout(this.answerMs),
      });
      if (response.status === 403) {
        // CouchDB's own lockout (its count outlives a success): the password was not checked, so
        // nothing is cached, and the client is told to wait rather than that it is wrong.
        await response.body?.cancel();
        await attempt.failed();
        throw new Refused(couchLockout());
      }
      const { userCtx } = response.ok
        ? ((await response.json()) as { userCtx: { name: string | null; roles: string[] } })
        : { userCtx: { name: null, roles: [] } };
      if (response.status >= 500) throw new Error(`CouchDB answered ${response.status} checking credentials`);
      const caller = userCtx.name ? { name: userCtx.name, roles: userCtx.roles } : null;
      // Asked after CouchDB answered: a check under way when the login changed is not cached either.
      if (!this.unsettled.has(name)) this.basicCache.set(key, { caller });
      if (caller) await attempt.succeeded(caller.name);
      else await attempt.failed();
      return caller;
    } finally {
      attempt.end();
    }
  }
}

/** The name in Basic credentials, for counting failures (never trusted for anything else). */
function basicName(authorization: string): string {
  const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(0, colon);
}
