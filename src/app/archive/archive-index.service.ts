import { Injectable, computed, inject } from '@angular/core';
import { LocalDbService } from '../core/local-db.service';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { MirroredLocalRecordMap, withoutKeys } from '../core/local-record-map';
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
  /** The defects archived with it (entries written before this was kept have none). */
  defectIds?: string[];
}

/**
 * The inspections archived off this device: a `_local` document in the user's database (never
 * replicated, gone with the database at logout). An inspection that comes back (changed on the
 * server) leaves the index: it is a live record again.
 */
@Injectable({ providedIn: 'root' })
export class ArchiveIndexService {
  private readonly localDb = inject(LocalDbService);
  private readonly index = new MirroredLocalRecordMap<ArchivedInspection>(LOCAL_DOC_IDS.archive, 'archived');

  /** Each archived inspection and defect. */
  private readonly recordIds = computed(
    () => new Set(Object.values(this.index.entries()).flatMap((entry) => [entry.id, ...(entry.defectIds ?? [])])),
  );

  /** Archived inspections, the latest scheduled first. */
  readonly archived = computed(() => Object.values(this.index.entries()).sort((a, b) => b.scheduledFor.localeCompare(a.scheduledFor)));

  /** What the archive keeps on this device: its index (the archived records themselves are gone), as stored JSON. */
  async storedBytes(): Promise<number | null> {
    const db = this.localDb.db();
    if (!db) return null;
    const stored = await db.get(LOCAL_DOC_IDS.archive).catch(() => null);
    return stored ? new Blob([JSON.stringify(stored)]).size : 0;
  }

  /** The archived inspections' ids as `db` stores them (read: the mirror may not have read them yet). */
  async inspectionIds(db: Database): Promise<string[]> {
    return Object.keys(await this.index.refresh(db));
  }

  has(id: string): boolean {
    return id in this.index.entries();
  }

  /** Whether an inspection or a defect was archived. */
  holdsRecord(id: string): boolean {
    return this.recordIds().has(id);
  }

  /**
   * Lists `entry`. One listed already is a purge cut short being finished: the defects that left
   * in the first attempt are no longer on the device to be found again, and stay listed.
   */
  async add(db: Database, entry: ArchivedInspection): Promise<void> {
    await this.index.update(db, (archived) => {
      const defectIds = [...new Set([...(archived[entry.id]?.defectIds ?? []), ...(entry.defectIds ?? [])])];
      return { ...archived, [entry.id]: { ...entry, defectIds } };
    });
  }

  async remove(db: Database, ids: readonly string[]): Promise<void> {
    await this.index.update(db, (archived) => withoutKeys(archived, ids));
  }
}
