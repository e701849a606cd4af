import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { LocalDbService } from '../core/local-db.service';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { overwriteLocalDoc } from '../core/local-doc';
import { Database } from '../core/pouchdb';

/** What the list shows of an archived inspection, so it can say what is archived without the record. */
export interface ArchivedInspection {
  id: string;
  title: string;
  site: string;
  scheduledFor: string;
  /** Its last change: the approval. */
  approvedAt: string;
  archivedAt: string;
}

interface ArchiveIndexDoc {
  _id: string;
  _rev?: string;
  archived: Record<string, ArchivedInspection>;
}

/**
 * The inspections archived off this device: a `_local` document in the user's database (never
 * replicated, gone with the database at logout). An inspection that comes back (changed on the
 * server) leaves the index: it is a live record again.
 */
@Injectable({ providedIn: 'root' })
export class ArchiveIndexService {
  private readonly localDb = inject(LocalDbService);
  private readonly kept = signal<Readonly<Record<string, ArchivedInspection>>>({});
  private queue: Promise<unknown> = Promise.resolve();

  /** Archived inspections, the latest scheduled first. */
  readonly archived = computed(() => Object.values(this.kept()).sort((a, b) => b.scheduledFor.localeCompare(a.scheduledFor)));

  constructor() {
    this.localDb.db$.pipe(takeUntilDestroyed(inject(DestroyRef))).subscribe((db) => {
      this.kept.set({});
      if (db) void this.change(db, (archived) => archived);
    });
  }

  /** What the archive keeps on this device: its index (the archived records themselves are gone), as stored JSON. */
  async storedBytes(): Promise<number | null> {
    const db = this.localDb.db();
    if (!db) return null;
    const stored = await db.get(LOCAL_DOC_IDS.archive).catch(() => null);
    return stored ? new Blob([JSON.stringify(stored)]).size : 0;
  }

  has(id: string): boolean {
    return id in this.kept();
  }

  add(db: Database, entry: ArchivedInspection): Promise<void> {
    return this.change(db, (archived) => ({ ...archived, [entry.id]: entry }));
  }

  remove(db: Database, ids: readonly string[]): Promise<void> {
    return this.change(db, (archived) => {
      const left = { ...archived };
      for (const id of ids) delete left[id];
      return left;
    });
  }

  // Read, changed and written one at a time, from the stored document (another tab may have written).
  private change(
    db: Database,
    update: (archived: Record<string, ArchivedInspection>) => Record<string, ArchivedInspection>,
  ): Promise<void> {
    const step = async () => {
      const stored = await db.get<ArchiveIndexDoc>(LOCAL_DOC_IDS.archive).catch(() => null);
      const before = stored?.archived ?? {};
      const archived = update(before);
      if (archived !== before) await overwriteLocalDoc(db, { _id: LOCAL_DOC_IDS.archive, _rev: stored?._rev, archived });
      if (this.localDb.db() === db) this.kept.set(archived);
    };
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
