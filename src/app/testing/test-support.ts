import { Provider, signal } from '@angular/core';
import { Subject } from 'rxjs';
import { userDbName } from '../../../domain/user-db-name';
import { HEALTH_CHECK } from '../core/reachability.service';
import { LOCAL_DB_PREFIX } from '../core/local-db.service';
import { Database, PouchDB } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { Session } from '../core/session.model';
import { SessionService } from '../core/session.service';
import { CLOCK, DEVICE_ID } from '../data/doc-writer.service';

export const ANA: Session = { name: 'ana', roles: [], db: userDbName('ana') };

/** A database name prefix no other test uses, so each test gets fresh IndexedDB databases. */
export function uniqueDbPrefix(): string {
  return `test-${crypto.randomUUID().slice(0, 8)}-`;
}

/** A SessionService stand-in with a settable session and no HTTP. */
export function fakeSessions(session: Session | null = ANA) {
  const current = signal<Session | null>(session);
  return {
    session: current.asReadonly(),
    set: (next: Session | null) => current.set(next),
    ready: () => Promise.resolve(current()),
    logins$: new Subject<Session>(),
    loggedOutElsewhere$: new Subject<void>(),
    login: jasmine.createSpy('login'),
    logout: jasmine.createSpy('logout').and.resolveTo(),
  };
}
export type FakeSessions = ReturnType<typeof fakeSessions>;

/** Providers for code that reads and writes the local database as a logged-in user. */
export function provideTestData(sessions: FakeSessions, prefix = uniqueDbPrefix()): Provider[] {
  return [
    { provide: LOCAL_DB_PREFIX, useValue: prefix },
    { provide: SessionService, useValue: sessions },
    { provide: CLOCK, useValue: () => new Date('2026-03-01T08:00:00.000Z') },
    { provide: DEVICE_ID, useValue: 'device-test' },
    { provide: HEALTH_CHECK, useValue: () => Promise.resolve(false) },
    { provide: REMOTE_DB_FACTORY, useValue: unreachableRemote },
  ];
}

/** A server database that never answers, as on a tablet out of coverage. */
export function unreachableRemote(userDb: string) {
  return new PouchDB<object>(`http://fieldbook.test/db/${userDb}`, {
    skip_setup: true,
    fetch: () => Promise.reject(new TypeError('Failed to fetch')),
  });
}

/** Polls until `condition` holds; replication and changes feeds are asynchronous. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Database methods that run a request and return its promise; counted by `trackRequests`. */
const REQUEST_METHODS = [
  'get',
  'put',
  'post',
  'remove',
  'bulkDocs',
  'bulkGet',
  'allDocs',
  'changes',
  'find',
  'query',
  'info',
  'revsDiff',
  'getAttachment',
  'putAttachment',
  'removeAttachment',
  'createIndex',
  'getIndexes',
  'deleteIndex',
  'compact',
  'viewCleanup',
  // The indexeddb adapter's; its promise resolves once the purge is noted in `_local/purges`.
  'purge',
] as const;

interface Requests {
  running: number;
  /** Called when `running` drops to zero. */
  onIdle: (() => void)[];
}

const tracked = new WeakMap<Database, Requests>();

/**
 * Counts the requests running on `db` from now on (a live changes feed is not a request), so a
 * test can wait for them to end with `requestsFinished` instead of sleeping.
 */
export function trackRequests(db: Database): void {
  if (tracked.has(db)) return;
  const requests: Requests = { running: 0, onIdle: [] };
  tracked.set(db, requests);
  const end = () => {
    if (--requests.running === 0) for (const resolve of requests.onIdle.splice(0)) resolve();
  };
  const methods = db as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of REQUEST_METHODS) {
    const original = methods[name];
    if (typeof original !== 'function') continue;
    methods[name] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args) as PromiseLike<unknown> | undefined;
      const live = name === 'changes' && (args[0] as { live?: boolean } | undefined)?.live;
      if (!live && typeof result?.then === 'function') {
        requests.running++;
        result.then(end, end);
      }
      return result;
    };
  }
}

/**
 * Resolves once no request runs on `db` (see `trackRequests`), also none that the continuation
 * of the last one started: stop what starts requests first (destroy the fixture, detach the
 * sync tracking), then wait here before deleting the database, so teardown cannot race a read.
 */
export async function requestsFinished(db: Database): Promise<void> {
  const requests = tracked.get(db);
  if (!requests) throw new Error(`The requests on ${db.name} are not tracked`);
  for (;;) {
    if (requests.running > 0) await new Promise<void>((resolve) => requests.onIdle.push(resolve));
    // Not a sleep: one turn of the event loop, after which every promise continuation of the
    // request that ended has run, so a next request it makes is counted.
    await new Promise((resolve) => setTimeout(resolve));
    if (requests.running === 0) return;
  }
}

/** Width and height of an image after its EXIF orientation is applied. */
export async function imageSize(source: Blob): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(source, { imageOrientation: 'from-image' });
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}
