import { Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { PULL_SELECTOR } from '../../../domain/photo-doc';
import { ConflictIndexService } from '../core/conflict-index.service';
import { LocalDbService } from '../core/local-db.service';
import { Database, PouchDB } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { fakeServer } from './conflict-fixtures';
import { ANA, fakeSessions, provideTestData, requestsFinished, trackRequests, uniqueDbPrefix, unreachableRemote } from './test-support';

/** This tablet (the app's database, its push ledger and conflict index), another tablet of the same user, and their server. */
export interface TwoTablets {
  db: Database;
  server: Database;
  /** Another tablet of the same user: a database that syncs with the server as a tablet does. */
  deviceB: Database;
  conflictIndex: ConflictIndexService;
  /** Whether the app reaches the server (true until a spec says otherwise): databases it opens while not never answer. */
  serverReachable: boolean;
  /** A device's push, then its pull, which leaves photo documents on the server (PULL_SELECTOR). */
  sync(device: Database): Promise<void>;
}

/**
 * Sets up two tablets (the app's with `providers` too) before each spec of the calling `describe`
 * and removes them after it; the returned object holds the current spec's.
 */
export function useTwoTablets(providers: Provider[] = []): TwoTablets {
  const tablets = {
    sync: async (device: Database) => {
      await PouchDB.replicate(device, tablets.server);
      await PouchDB.replicate(tablets.server, device, { selector: PULL_SELECTOR });
    },
  } as TwoTablets;
  let servers: ReturnType<typeof fakeServer>;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    servers = fakeServer(prefix);
    tablets.server = servers.open(ANA.db);
    tablets.deviceB = new PouchDB<object>(`${prefix}device-b`);
    tablets.serverReachable = true;
    const openServer = (userDb: string) => (tablets.serverReachable ? servers.open(userDb) : unreachableRemote(userDb));
    TestBed.configureTestingModule({
      providers: [...provideTestData(fakeSessions(), prefix), { provide: REMOTE_DB_FACTORY, useValue: openServer }, ...providers],
    });
    tablets.db = await TestBed.inject(LocalDbService).open(ANA.db);
    trackRequests(tablets.db);
    await TestBed.inject(PushLedgerService).attach(tablets.db);
    tablets.conflictIndex = TestBed.inject(ConflictIndexService);
    await tablets.conflictIndex.attach(tablets.db);
  });

  afterEach(async () => {
    tablets.conflictIndex.detach();
    TestBed.inject(PushLedgerService).detach();
    await requestsFinished(tablets.db);
    await TestBed.inject(LocalDbService).destroy();
    await tablets.deviceB.destroy();
    await servers.destroy();
  });

  return tablets;
}

/** A picture as a camera gives it: a PNG of one colour. */
export async function cameraImage(color: string): Promise<Blob> {
  const canvas = new OffscreenCanvas(400, 300);
  const context = canvas.getContext('2d')!;
  context.fillStyle = color;
  context.fillRect(0, 0, 400, 300);
  return canvas.convertToBlob({ type: 'image/png' });
}
