import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CouchAdmin } from '../couch/couch-admin';
import { isConflict, isNotFound } from '../couch/couch-admin';
import { deleteUserSessions, SESSIONS_DB } from '../couch/user-sessions';
import { answerWithin, DEFAULT_ANSWER_MS } from './answer-within';
import { couchCookieIssuedAt } from './couch-cookie';

export interface Session {
  name: string;
  roles: string[];
  /** CouchDB's AuthSession cookie for this user; it never leaves the proxy. */
  couchCookie: string;
  expiresAt: number;
}

interface SessionDoc extends Session {
  _id: string;
  _rev?: string;
}

/**
 * How long a session stays cached. A logout or revocation anywhere reaches every process at
 * once through the sessions feed (session-watch.ts), which resumes where it left off after a
 * break; this bounds how stale a cache can get only if that feed stalls. It was 10 s: every
 * tablet's longpoll, reopened after each change, then cost a CouchDB read before it was
 * forwarded.
 */
const CACHE_MS = 5 * 60_000;
/** Sessions cached at once; the least recently used are read again from CouchDB when next needed. */
const CACHE_ENTRIES = 50_000;
/** A renewed CouchDB cookie is stored only when it is this much newer than the stored one. */
const RENEW_EVERY_S = 3600;
/** Sliding expiry is written back at most this often, not on every request. */
const PERSIST_EVERY_MS = 60 * 60_000;

/**
 * Login sessions, kept in an admin-only CouchDB database so they outlive proxy restarts
 * and field work (days offline). The browser holds only a random id; the database holds
 * its hash, so reading the database does not yield usable ids.
 */
export class SessionStore {
  private readonly db;
  private readonly cache = new LRUCache<string, SessionDoc>({ max: CACHE_ENTRIES, ttl: CACHE_MS });
  /**
   * Sessions ended here, so a cookie renewal racing the deletion cannot bring one back to the
   * cache; past the cache lifetime, CouchDB itself answers that the session is gone.
   */
  private readonly ended = new LRUCache<string, true>({ max: CACHE_ENTRIES, ttl: CACHE_MS });
  /** Reads under way: a thousand feeds of one session reopening together make one read, not a thousand. */
  private readonly reading = new Map<string, Promise<SessionDoc | null>>();

  constructor(
    private readonly couch: CouchAdmin,
    private readonly maxAgeMs: number,
    /** How long a request waits on CouchDB for its session before it is answered 504. */
    private readonly answerMs = DEFAULT_ANSWER_MS,
  ) {
    this.db = couch.use<Session>(SESSIONS_DB);
  }

  async create(session: Omit<Session, 'expiresAt'>): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const doc: SessionDoc = { _id: keyOf(id), ...session, expiresAt: Date.now() + this.maxAgeMs };
    doc._rev = (await this.ask(this.db.insert(doc))).rev;
    this.cache.set(doc._id, doc);
    return id;
  }

  /** The live session for an id, its expiry slid forward; null when unknown or expired. */
  async get(id: string): Promise<Session | null> {
    const key = keyOf(id);
    const doc = await this.read(key);
    if (!doc) return null;
    const now = Date.now();
    if (doc.expiresAt <= now) {
      await this.delete(key);
      return null;
    }
    if (now + this.maxAgeMs - doc.expiresAt > PERSIST_EVERY_MS) {
      void this.write(key, (current) => ({ ...current, expiresAt: now + this.maxAgeMs })).catch(() => undefined);
    }
    return doc;
  }

  /** CouchDB renews its cookie on use; keep the newest one. */
  async renewCouchCookie(id: string, couchCookie: string): Promise<void> {
    const key = keyOf(id);
    const current = await this.read(key);
    // PouchDB Server renews on every request; storing each would be a write per request.
    const stored = current && couchCookieIssuedAt(current.couchCookie);
    const renewed = couchCookieIssuedAt(couchCookie);
    if (stored !== null && renewed !== null && renewed - stored < RENEW_EVERY_S) return;
    await this.write(key, (doc) => ({ ...doc, couchCookie }));
  }

  async revoke(id: string): Promise<void> {
    await this.delete(keyOf(id));
  }

  /** Ends every session of a user, also those only cached here. */
  async revokeUser(name: string): Promise<void> {
    for (const [key, doc] of this.cache.entries()) if (doc.name === name) this.markEnded(key);
    for (const key of await deleteUserSessions(this.couch, name)) this.markEnded(key);
  }

  /** A session ended elsewhere (another proxy process deleted it): forget it here too. */
  forgetKey(key: string): void {
    this.markEnded(key);
  }

  private markEnded(key: string): void {
    this.ended.set(key, true);
    this.cache.delete(key);
  }

  /** Sessions cached in this process (for /metrics). */
  get cachedCount(): number {
    return this.cache.size;
  }

  private ask<T>(call: Promise<T>): Promise<T> {
    return answerWithin(call, this.answerMs);
  }

  private read(key: string): Promise<SessionDoc | null> {
    if (this.ended.has(key)) return Promise.resolve(null);
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    let reading = this.reading.get(key);
    if (!reading) {
      reading = this.readStored(key).finally(() => this.reading.delete(key));
      this.reading.set(key, reading);
    }
    return reading;
  }

  private async readStored(key: string): Promise<SessionDoc | null> {
    try {
      const doc = (await this.ask(this.db.get(key))) as SessionDoc;
      // Ended while the read was under way: do not bring it back.
      if (this.ended.has(key)) return null;
      this.cache.set(key, doc);
      return doc;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.cache.delete(key);
      return null;
    }
  }

  private async write(key: string, change: (current: SessionDoc) => SessionDoc): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.read(key);
      if (!current) return;
      const next = change(current);
      try {
        next._rev = (await this.ask(this.db.insert(next))).rev;
        this.cache.set(key, next);
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
        this.cache.delete(key);
      }
    }
  }

  private async delete(key: string): Promise<void> {
    this.markEnded(key);
    // A cookie renewal may write a new revision meanwhile: delete that one too.
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this.ask(this.db.get(key));
        await this.ask(this.db.destroy(key, doc._rev));
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if (!isConflict(error) || attempt === 4) throw error;
      }
    }
  }
}

/** The database key of a session id (its hash): what the sessions feed reports. */
export function keyOf(id: string): string {
  return 'session-' + createHash('sha256').update(id).digest('hex');
}
