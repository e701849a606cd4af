import { Injectable, computed, inject } from '@angular/core';
import { LocalDbService } from '../core/local-db.service';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { Entries, MirroredLocalRecordMap, withoutKeys } from '../core/local-record-map';

/** A form's values as the form holds them (`getRawValue()`). */
export type FormValues = Record<string, unknown>;

/** What an inspector typed on one form and has not saved yet. */
export interface DraftEntry {
  /** The typed values. */
  values: FormValues;
  /** The revision they were typed on; absent for a document not created yet. */
  baseRev?: string;
  /** That revision's values as the form showed them: the common version of a merge. */
  base?: FormValues;
  /** The inspection the form belongs to, for the list's marker. */
  inspectionId: string;
  /** When it was last typed (ISO). */
  savedAt: string;
}

/**
 * Unsaved form values, kept on this device as they are typed: one `_local` document in the
 * user's database (never replicated, gone with the database at logout), by form key (a
 * document's id, or `new-inspection`, `new-defect:<inspection id>`). Every write reads the
 * stored document first, so tabs typing in different forms keep each other's drafts.
 */
@Injectable({ providedIn: 'root' })
export class DraftStore {
  private readonly localDb = inject(LocalDbService);
  private readonly stored = new MirroredLocalRecordMap<DraftEntry>(LOCAL_DOC_IDS.drafts, 'drafts');

  /** The drafts of the open database by form key, as last read or written here. */
  readonly drafts = this.stored.entries;
  /** Inspections with a draft of their own or of one of their defects. */
  readonly inspectionIds = computed(() => new Set(Object.values(this.drafts()).map((draft) => draft.inspectionId)));

  /** The draft kept for `key`, read from the database (another tab may have typed it). */
  async get(key: string): Promise<DraftEntry | null> {
    return (await this.refresh())[key] ?? null;
  }

  /** Rereads every draft (another tab may have changed them). */
  async refresh(): Promise<Entries<DraftEntry>> {
    const db = this.localDb.db();
    return db ? this.stored.refresh(db) : {};
  }

  put(key: string, draft: DraftEntry): Promise<void> {
    return this.change((drafts) => ({ ...drafts, [key]: draft }));
  }

  /** Drops the draft of `key`: saved, or discarded by the user. Gone from `drafts` at once. */
  discard(key: string): Promise<void> {
    const without = (drafts: Entries<DraftEntry>) => withoutKeys(drafts, [key]);
    this.stored.preview(without);
    return this.change(without);
  }

  /** Without an open database (logged out), nothing is kept. */
  private async change(update: (drafts: Entries<DraftEntry>) => Entries<DraftEntry>): Promise<void> {
    const db = this.localDb.db();
    if (db) await this.stored.update(db, update);
  }
}
