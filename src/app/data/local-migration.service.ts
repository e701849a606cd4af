import { Injectable, InjectionToken, inject } from '@angular/core';
import { filter, firstValueFrom, fromEvent, takeUntil } from 'rxjs';
import { FieldbookDoc } from '../../../domain/doc-types';
import { MIGRATION_PROGRESS_ID, migrationProgress, needsMigration } from '../../../domain/schema-versions';
import { firstPullDone } from '../core/initial-pull.service';
import { overwriteLocalDoc } from '../core/local-doc';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { ReplicationService } from '../core/replication.service';
import { DocWriterService } from './doc-writer.service';

/** Records read per `allDocs`, and migrated per `bulkDocs`. */
export const MIGRATION_BATCH_SIZE = new InjectionToken<number>('MIGRATION_BATCH_SIZE', { factory: () => 200 });

export interface MigrationOutcome {
  migrated: number;
  /** Records the rules keep as they are (a submitted inspection is read-only): the server migrates them once they arrive. */
  leftAlone: number;
}

/**
 * Brings the local records an app update finds in an older shape up to the current one
 * (domain/schema-versions.ts), in the background after login.
 *
 * Only what the server does not have yet is migrated here: records in the push ledger
 * (pending or refused), which are the user's unsynced edits. Each is migrated in place, on top
 * of the user's revision, through the writer (stamped and audited like any save), and pushed.
 * Everything the server holds, the server migrates (`npm run migrate`) and the new revisions
 * come down with the pull; until then the app reads them through the same steps. Were every
 * tablet to migrate what it holds, each would write its own revision of the same records and
 * every one would come back conflicted (docs/ARCHITECTURE.md).
 *
 * It reads only those records, never the whole database (50,000 documents on a tablet in use
 * for years). Resumable: it takes them in id order and saves the last id it looked at after each
 * page, so a reload carries on from there.
 */
@Injectable({ providedIn: 'root' })
export class LocalMigrationService {
  private readonly writer = inject(DocWriterService);
  private readonly ledger = inject(PushLedgerService);
  private readonly replication = inject(ReplicationService);
  private readonly batchSize = inject(MIGRATION_BATCH_SIZE);
  private abort: AbortController | null = null;

  /** Migrates `db` in the background once its first pull is done (the ledger knows what came from the server only then). */
  start(db: Database): void {
    this.stop();
    const abort = (this.abort = new AbortController());
    void this.whenFirstPullDone(db, abort.signal)
      .then(() => (abort.signal.aborted ? null : this.run(db, abort.signal)))
      .catch((error: unknown) => console.warn('Local migration stopped; it resumes at the next login', error));
  }

  stop(): void {
    this.abort?.abort();
    this.abort = null;
  }

  /** Walks `db` from where an earlier walk of this release stopped until done or `signal` aborts. */
  async run(db: Database, signal: AbortSignal): Promise<MigrationOutcome> {
    const outcome: MigrationOutcome = { migrated: 0, leftAlone: 0 };
    let progress = migrationProgress(await db.get<object>(MIGRATION_PROGRESS_ID).catch(() => null));
    while (!progress.done && !signal.aborted && this.ledger.isAttachedTo(db)) {
      const after = progress.lastId;
      const unsynced = [...new Set([...this.ledger.pendingIds(), ...Object.keys(this.ledger.rejections())])];
      const ids = unsynced
        .filter((id) => id > after)
        .sort()
        .slice(0, this.batchSize);
      const { rows } = await db.allDocs<FieldbookDoc>({ keys: ids, include_docs: true });
      const old = rows.flatMap((row) => ('doc' in row && row.doc && needsMigration(row.doc) ? [row.doc] : []));
      const migrated = await this.migrate(old);
      outcome.migrated += migrated;
      outcome.leftAlone += old.length - migrated;
      progress = { ...progress, lastId: ids.at(-1) ?? after, done: ids.length < this.batchSize };
      progress._rev = await overwriteLocalDoc(db, progress);
    }
    return outcome;
  }

  /** Writes the records in their current shape (the writer migrates what it saves); returns how many it wrote. */
  private async migrate(docs: FieldbookDoc[]): Promise<number> {
    if (!docs.length) return 0;
    try {
      await this.writer.saveAll(docs);
      return docs.length;
    } catch {
      // One refused (read-only) or changed meanwhile (the user's save migrated it): the others one by one.
      let written = 0;
      for (const doc of docs) {
        written += await this.writer.save(doc).then(
          () => 1,
          () => 0,
        );
      }
      return written;
    }
  }

  /** Once the first pull is done: at once if it was, else when sync is first up to date (or never, if stopped). */
  private async whenFirstPullDone(db: Database, signal: AbortSignal): Promise<void> {
    if ((await firstPullDone(db)) || signal.aborted) return;
    const upToDate = this.replication.status$.pipe(
      filter((status) => status.state === 'paused'),
      takeUntil(fromEvent(signal, 'abort')),
    );
    await firstValueFrom(upToDate, { defaultValue: null });
  }
}
