import { Injectable, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { LocalMigrationService } from '../data/local-migration.service';
import { DraftStore } from '../drafts/draft-store.service';
import { ConflictIndexService } from './conflict-index.service';
import { LocalDbService } from './local-db.service';
import { PushLedgerService } from './push-ledger.service';
import { ReplicationService } from './replication.service';
import { Session } from './session.model';
import { SessionService } from './session.service';
import { StorageService } from './storage.service';
import { SerialQueue } from '../shared/serial-queue';

/**
 * Ties the session to the data: a logged-in user gets their local database, its push
 * ledger and conflict index, the sync, and the migration of unsynced records an app update
 * finds in an older shape; logging out (or another user logging in) closes them.
 */
@Injectable({ providedIn: 'root' })
export class WorkspaceService {
  private readonly sessions = inject(SessionService);
  private readonly localDb = inject(LocalDbService);
  private readonly pushLedger = inject(PushLedgerService);
  private readonly drafts = inject(DraftStore);
  private readonly conflictIndex = inject(ConflictIndexService);
  private readonly replication = inject(ReplicationService);
  private readonly storage = inject(StorageService);
  private readonly migration = inject(LocalMigrationService);
  /** The user database that is open, or null. */
  private openFor: string | null = null;
  // Login, logout and tab messages can overlap; open and close must not interleave.
  private readonly steps = new SerialQueue();

  constructor() {
    // The tab that logged out deleted the database, while this one still had it open: what this
    // tab wrote meanwhile (its sync, its ledger) opened it again, and closed as kept it stayed on
    // the device. Deleted here too, once this tab's work on it has stopped.
    this.sessions.loggedOutElsewhere$.pipe(takeUntilDestroyed()).subscribe(() => void this.close(true));
  }

  /** Opens the workspace for `session` (a no-op if it is already open). */
  open(session: Session): Promise<void> {
    return this.steps.run(async () => {
      if (this.openFor === session.db) return;
      await this.shutDown(false);
      const db = await this.localDb.open(session.db);
      await Promise.all([this.pushLedger.attach(db), this.conflictIndex.attach(db)]);
      this.replication.start(db, session.db);
      this.migration.start(db);
      this.openFor = session.db;
      void this.storage.requestPersistence();
    });
  }

  /** Closes the workspace; with `destroyLocalData` the user's local database is deleted. */
  close(destroyLocalData: boolean): Promise<void> {
    return this.steps.run(() => this.shutDown(destroyLocalData));
  }

  /** Resolves once the opening or closing under way, if any, is done. */
  settled(): Promise<void> {
    return this.steps.idle();
  }

  /** Follows whatever the session service currently says. */
  sync(): Promise<void> {
    const session = this.sessions.session();
    return session ? this.open(session) : this.close(false);
  }

  private async shutDown(destroyLocalData: boolean): Promise<void> {
    // Typing not written yet (its pause not over) goes to the drafts of whoever typed it, while
    // their database is open (another user logging in, in another tab, closes it).
    if (!destroyLocalData) await this.drafts.writeTyped();
    this.replication.stop();
    this.migration.stop();
    this.pushLedger.detach();
    this.conflictIndex.detach();
    if (destroyLocalData) await this.localDb.destroy();
    else await this.localDb.close();
    this.openFor = null;
  }
}
