import { inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { LocalDbService } from './local-db.service';
import { Database } from './pouchdb';
import { SerialQueue } from '../shared/serial-queue';

/** Entries by key. */
export type Entries<T> = Readonly<Record<string, T>>;

interface MapDoc {
  _id: string;
  _rev?: string;
  [field: string]: unknown;
}

/** `entries` without those of `keys`. */
export function withoutKeys<T>(entries: Entries<T>, keys: Iterable<string>): Record<string, T> {
  const left = { ...entries };
  for (const key of keys) delete left[key];
  return left;
}

/**
 * Entries by key kept under `field` of one `_local` document (device state: never replicated,
 * gone with the database). Each change is a read-modify-write of the stored map, one after
 * another, so changes made at once all land; one that meets a write of another tab (409) is
 * applied again to what that tab wrote, so both land.
 */
export class LocalRecordMap<T> {
  private readonly changes = new SerialQueue();

  constructor(
    readonly docId: string,
    private readonly field: string,
  ) {}

  /** The stored entries, read now (not in turn); none while the document is absent. */
  async read(db: Database): Promise<Entries<T>> {
    return this.entriesOf(await this.load(db));
  }

  /** The stored entries, read in turn after the changes before. */
  refresh(db: Database): Promise<Entries<T>> {
    return this.update(db, (entries) => entries);
  }

  /**
   * Applies `change` to the stored entries after the changes before it and stores the result,
   * unless it is the very map it was given. `change` may run again (after a 409): keep it pure.
   * Resolves with the entries as stored.
   */
  update(db: Database, change: (entries: Entries<T>) => Entries<T>): Promise<Entries<T>> {
    return this.changes.run(() => this.apply(db, change));
  }

  protected async apply(db: Database, change: (entries: Entries<T>) => Entries<T>): Promise<Entries<T>> {
    for (;;) {
      const doc = await this.load(db);
      const before = this.entriesOf(doc);
      const after = change(before);
      if (after === before) return after;
      try {
        await db.put({ ...doc, [this.field]: after });
        return after;
      } catch (error) {
        if ((error as { status?: number }).status !== 409) throw error;
      }
    }
  }

  private async load(db: Database): Promise<MapDoc> {
    try {
      return await db.get<MapDoc>(this.docId);
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      return { _id: this.docId };
    }
  }

  private entriesOf(doc: MapDoc): Entries<T> {
    return (doc[this.field] as Entries<T> | undefined) ?? {};
  }
}

/**
 * A LocalRecordMap of the open database (LocalDbService), with its entries as a signal: read as
 * each database opens, empty while none is. A change whose turn comes after its database
 * closed (logout, another user) keeps nothing. Made in an injection context.
 */
export class MirroredLocalRecordMap<T> extends LocalRecordMap<T> {
  private readonly localDb = inject(LocalDbService);
  private readonly kept = signal<Entries<T>>({});

  /** The open database's entries, as last read or written here. */
  readonly entries = this.kept.asReadonly();

  constructor(docId: string, field: string) {
    super(docId, field);
    this.localDb.db$.pipe(takeUntilDestroyed()).subscribe((db) => {
      this.kept.set({});
      if (db) void this.refresh(db);
    });
  }

  /** Shows `change` at once, before its turn to be stored comes. */
  preview(change: (entries: Entries<T>) => Entries<T>): void {
    this.kept.update(change);
  }

  protected override async apply(db: Database, change: (entries: Entries<T>) => Entries<T>): Promise<Entries<T>> {
    if (this.localDb.db() !== db) return {};
    const entries = await super.apply(db, change);
    if (this.localDb.db() === db) this.kept.set(entries);
    return entries;
  }
}
