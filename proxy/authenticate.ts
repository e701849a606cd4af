import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';
import { LRUCache } from 'lru-cache';
import type { Caller } from './access-policy';
import { DEFAULT_ANSWER_MS } from './answer-within';
import { Refused } from './couch-error';
import { LoginThrottle } from './login-throttle';
import type { SessionStore } from './session-store';

export const SESSION_COOKIE = 'fieldbook_session';

/** How the proxy will authenticate the forwarded request to CouchDB, as the caller. */
export type Identity =
  { kind: 'session'; caller: Caller; sessionId: string; couchCookie: string } | { kind: 'basic'; caller: Caller; authorization: string };

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

/** The headers that make CouchDB see the caller themselves: their own CouchDB cookie or Basic credentials. */
export function couchAuthHeaders(identity: Identity): Record<string, string> {
  return identity.kind === 'session' ? { cookie: `AuthSession=${identity.couchCookie}` } : { authorization: identity.authorization };
}

/**
 * Finds who is calling: the browser by its session cookie, server-to-server replicators
 * by HTTP Basic auth. Basic credentials are checked by CouchDB itself (`/_session`) and the
 * answer cached briefly, so the proxy knows the real name and roles before it decides.
 */
export class Authenticator {
  /** CouchDB's answer per credentials: the caller, or null for wrong ones (so a retried wrong password costs no hash). */
  private readonly basicCache = new LRUCache<string, { caller: Caller | null }>({ max: BASIC_CACHE_ENTRIES, ttl: BASIC_CACHE_MS });
  /** Names whose login changed in the last UNSETTLED_MS. */
  private readonly unsettled = new LRUCache<string, true>({ max: BASIC_CACHE_ENTRIES, ttl: UNSETTLED_MS });

  constructor(
    private readonly couchUrl: string,
    private readonly sessions: SessionStore,
    private readonly throttle = new LoginThrottle(),
    /** How long CouchDB may take to check Basic credentials before the request is answered 504. */
    private readonly answerMs = DEFAULT_ANSWER_MS,
  ) {}

  /**
   * Works on a plain Node request: the `/db` route runs without Express and its cookie parser.
   * Throws Refused (429) for Basic credentials of a name or address that failed too often.
   */
  async identify(req: IncomingMessage): Promise<Identity | null> {
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      const caller = await this.checkBasic(authorization, req.socket?.remoteAddress);
      return caller && { kind: 'basic', caller, authorization };
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
    const name = basicName(authorization);
    const throttled = await this.throttle.check(name, address);
    if (throttled) throw new Refused(throttled);
    const response = await fetch(`${this.couchUrl}/_session`, {
      headers: { authorization, accept: 'application/json' },
      signal: AbortSignal.timeout(this.answerMs),
    });
    const { userCtx } = response.ok
      ? ((await response.json()) as { userCtx: { name: string | null; roles: string[] } })
      : { userCtx: { name: null, roles: [] } };
    if (response.status >= 500) throw new Error(`CouchDB answered ${response.status} checking credentials`);
    const caller = userCtx.name ? { name: userCtx.name, roles: userCtx.roles } : null;
    // Asked after CouchDB answered: a check under way when the login changed is not cached either.
    if (!this.unsettled.has(name)) this.basicCache.set(key, { caller });
    if (caller) await this.throttle.succeeded(caller.name);
    else await this.throttle.failed(name, address);
    return caller;
  }
}

/** The name in Basic credentials, for counting failures (never trusted for anything else). */
function basicName(authorization: string): string {
  const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(0, colon);
}
