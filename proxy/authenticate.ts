import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';
import type { Caller } from './access-policy';
import type { SessionStore } from './session-store';

export const SESSION_COOKIE = 'fieldbook_session';

/** How the proxy will authenticate the forwarded request to CouchDB, as the caller. */
export type Identity =
  | { kind: 'session'; caller: Caller; sessionId: string; couchCookie: string }
  | { kind: 'basic'; caller: Caller; authorization: string };

const BASIC_CACHE_MS = 60_000;

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
  private readonly basicCache = new Map<string, { caller: Caller; checkedAt: number }>();

  constructor(private readonly couchUrl: string, private readonly sessions: SessionStore) {}

  /** Works on a plain Node request: the `/db` route runs without Express and its cookie parser. */
  async identify(req: IncomingMessage): Promise<Identity | null> {
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      const caller = await this.checkBasic(authorization);
      return caller && { kind: 'basic', caller, authorization };
    }
    const sessionId = req.headers.cookie && parseCookie(req.headers.cookie)[SESSION_COOKIE];
    if (!sessionId) return null;
    const session = await this.sessions.get(sessionId);
    if (!session) return null;
    return { kind: 'session', caller: { name: session.name, roles: session.roles }, sessionId, couchCookie: session.couchCookie };
  }

  /** Drops cached Basic checks so a changed password or a removed user takes effect at once. */
  forgetBasic(name?: string): void {
    for (const [key, entry] of this.basicCache) if (!name || entry.caller.name === name) this.basicCache.delete(key);
  }

  private async checkBasic(authorization: string): Promise<Caller | null> {
    const key = createHash('sha256').update(authorization).digest('hex');
    const cached = this.basicCache.get(key);
    if (cached && Date.now() - cached.checkedAt < BASIC_CACHE_MS) return cached.caller;
    const response = await fetch(`${this.couchUrl}/_session`, { headers: { authorization, accept: 'application/json' } });
    if (!response.ok) return null;
    const { userCtx } = (await response.json()) as { userCtx: { name: string | null; roles: string[] } };
    if (!userCtx.name) return null;
    const caller = { name: userCtx.name, roles: userCtx.roles };
    this.basicCache.set(key, { caller, checkedAt: Date.now() });
    return caller;
  }
}
