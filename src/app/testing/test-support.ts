import { Provider, signal } from '@angular/core';
import { Subject } from 'rxjs';
import { userDbName } from '../../../domain/user-db-name';
import { HEALTH_CHECK } from '../core/reachability.service';
import { LOCAL_DB_PREFIX } from '../core/local-db.service';
import { PouchDB } from '../core/pouchdb';
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

/**
 * Lets reloads triggered by the last write finish, so a test does not destroy the database
 * under a query that is still running.
 */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Width and height of an image after its EXIF orientation is applied. */
export async function imageSize(source: Blob): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(source, { imageOrientation: 'from-image' });
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}
