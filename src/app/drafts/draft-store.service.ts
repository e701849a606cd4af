import { Injectable, computed, inject, signal } from '@angular/core';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';

const DRAFTS_ID = LOCAL_DOC_IDS.drafts;

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

interface DraftsDoc {
  _id: string;
  _rev?: string;
  drafts: Record<string, DraftEntry>;
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
  private readonly kept = signal<Readonly<Record<string, DraftEntry>>>({});
  /** One read-modify-write at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  /** The drafts of the open database by form key, as last read or written here. */
  readonly drafts = this.kept.asReadonly();
  /** Inspections with a draft of their own or of one of their defects. */
  readonly inspectionIds = computed(() => new Set(Object.values(this.kept()).map((draft) => draft.inspectionId)));

  constructor() {
    this.localDb.db$.pipe(takeUntilDestroyed()).subscribe((db) => {
      this.kept.set({});
      if (db) void this.refresh();
    });
  }

  /** The draft kept for `key`, read from the database (another tab may have typed it). */
  async get(key: string): Promise<DraftEntry | null> {
    return (await this.refresh())[key] ?? null;
  }

  /** Rereads every draft (another tab may have changed them). */
  refresh(): Promise<Readonly<Record<string, DraftEntry>>> {
    return this.serialize({}, async (db) => {
      const drafts = (await storedDrafts(db)).drafts;
      this.publish(db, drafts);
      return drafts;
    });
  }

  put(key: string, draft: DraftEntry): Promise<void> {
    return this.change((drafts) => ({ ...drafts, [key]: draft }));
  }

  /** Drops the draft of `key`: saved, or discarded by the user. Gone from `drafts` at once. */
  discard(key: string): Promise<void> {
    const without = ({ [key]: _dropped, ...drafts }: Record<string, DraftEntry>) => drafts;
    this.kept.update(without);
    return this.change(without);
  }

  private change(update: (drafts: Record<string, DraftEntry>) => Record<string, DraftEntry>): Promise<void> {
    return this.serialize(undefined, async (db) => {
      for (;;) {
        const stored = await storedDrafts(db);
        const drafts = update(stored.drafts);
        try {
          await db.put({ ...stored, drafts });
          this.publish(db, drafts);
          return;
        } catch (error) {
          // Another tab wrote in between: apply the change to what it wrote.
          if ((error as { status?: number }).status !== 409) throw error;
        }
      }
    });
  }

  private publish(db: Database, drafts: Record<string, DraftEntry>): void {
    if (this.localDb.db() === db) this.kept.set(drafts);
  }

  /** Runs `step` on the open database after the steps before it; without one (logged out), nothing is kept. */
  private serialize<T>(otherwise: T, step: (db: Database) => Promise<T>): Promise<T> {
    const run = async () => {
      const db = this.localDb.db();
      return db ? step(db) : otherwise;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

async function storedDrafts(db: Database): Promise<DraftsDoc> {
  try {
    return await db.get<DraftsDoc>(DRAFTS_ID);
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    return { _id: DRAFTS_ID, drafts: {} };
  }
}
