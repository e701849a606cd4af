import { Injectable, inject } from '@angular/core';
import { Database } from './pouchdb';
import { REMOTE_DB_FACTORY } from './remote-db';
import { SessionService } from './session.service';

/** The signed-in user's database on the server, opened for a request or two (REMOTE_DB_FACTORY). */
@Injectable({ providedIn: 'root' })
export class UserServerDb {
  private readonly sessions = inject(SessionService);
  private readonly openRemote = inject(REMOTE_DB_FACTORY);

  /** The signed-in user's server database; null while no one is signed in. */
  open(): Database | null {
    const userDb = this.sessions.session()?.db;
    return userDb ? this.openRemote(userDb) : null;
  }

  /** The signed-in user's server database; throws while no one is signed in. */
  require(): Database {
    const server = this.open();
    if (!server) throw new Error('Not logged in');
    return server;
  }
}
