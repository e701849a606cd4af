import { Injectable, InjectionToken, inject } from '@angular/core';
import { AuditedWrite, auditEntry } from '../../../domain/audit-entry';
import { BulkDocsRow, OpenRevsRow } from '../../../domain/conflicts/conflict-db';
import { leafIn, resolutionAuditEntries, writeWithAuditEntries } from '../../../domain/conflicts/resolution-audit';
import { jsonEqual } from '../../../domain/conflicts/json-equal';
import { StoredDoc } from '../../../domain/conflicts/stored-doc';
import { ResolutionWrite } from '../../../domain/conflicts/conflict-resolution';
import { AuditFields, Defect, FieldbookDoc, PhotoDoc } from '../../../domain/doc-types';
import { newPhotoDoc } from '../../../domain/photo-doc';
import { migrateDoc } from '../../../domain/schema-versions';
import { deviceId } from '../core/device-id';
import { DeviceNameService } from '../core/device-name.service';
import { Database } from '../core/pouchdb';
import { LocalDbService } from '../core/local-db.service';
import { Session } from '../core/session.model';
import { SessionService } from '../core/session.service';
import { ValidationError, validateDoc } from './validation-bridge';
import { leavesOf } from './purge-doc';

/** The clock used for audit timestamps; tests pin it. */
export const CLOCK = new InjectionToken<() => Date>('CLOCK', { factory: () => () => new Date() });

/** This browser profile's device id; tests pin it. */
export const DEVICE_ID = new InjectionToken<string>('DEVICE_ID', { factory: () => deviceId() });

/** A document as the UI edits it: the audit fields are the writer's business. */
export type Draft<T extends FieldbookDoc> = Omit<T, keyof AuditFields> & Partial<AuditFields>;

export interface PhotoAttachment {
  content_type: string;
  data: Blob;
}

/** A full-size photo to store as a photo document (domain/photo-doc.ts), named like its thumbnail. */
export interface NewPhoto {
  stem: string;
  image: PhotoAttachment;
}

/** What a deletion took with it, named on its tombstone: an inspection's defects, by id. */
export interface DeletionTook {
  deletedDefects?: string[];
}

/** A photo document to delete along with a change of its defect: its revision here. */
export type PhotoRemoval = Required<DocRevision>;

type Stored = FieldbookDoc & { _attachments?: PouchDB.Core.Attachments };

/** The revision of a document a change is based on. */
export interface DocRevision {
  _id: string;
  _rev?: string;
}

/** A new document id, `<type>:<uuid v4>` as the rules require. */
export function newDocId(type: FieldbookDoc['type']): string {
  return `${type}:${crypto.randomUUID()}`;
}

/** The audit fields of a change: who made it, when, on which device (and its name, if the user gave it one). */
export type ChangeStamp = Pick<AuditFields, 'updatedBy' | 'updatedAt' | 'deviceId' | 'deviceName'>;

/**
 * The only code that writes Fieldbook documents. It sets the audit fields (createdBy,
 * createdAt, updatedBy, updatedAt, deviceId) and checks the shared document rules before
 * writing, so a save the server would refuse is refused here, next to the field.
 * Conflict resolutions (src/app/conflicts/) are built and checked by domain/conflicts and
 * written through `writeResolution`.
 *
 * Every save writes the record in its current shape (`schema`, domain/schema-versions.ts), so an
 * edit of an older record also migrates it; conflict resolutions are written as merged.
 *
 * Every write of a record also writes its audit entry (domain/audit-entry.ts), right after it
 * and only when it landed (nothing is written when the rules refuse): each row of a `bulkDocs`
 * lands or fails on its own, and an entry written beside a record that failed would name a change
 * that never happened. So a push may take a record before its entries: the push ledger keeps it
 * pending until they are pushed too (`pendingEntryRecords`), as for a conflict resolution's.
 */
@Injectable({ providedIn: 'root' })
export class DocWriterService {
  private readonly localDb = inject(LocalDbService);
  private readonly sessions = inject(SessionService);
  private readonly clock = inject(CLOCK);
  private readonly device = inject(DEVICE_ID);
  private readonly deviceName = inject(DeviceNameService).name;

  /**
   * Creates or updates a document, in the local database unless `db` is given (a supervisor
   * writes straight into the hub); throws ValidationError if the rules refuse it.
   */
  async save<T extends FieldbookDoc>(draft: Draft<T>, db: Database = this.localDb.require()): Promise<T> {
    const [saved] = await this.saveAll<T>([draft], db);
    return saved;
  }

  /**
   * Creates or updates several documents in one `_bulk_docs`: all are checked against the rules
   * first. Throws ValidationError if the rules refuse any, and the first failed row's error (a 409
   * if one changed meanwhile) otherwise; the other rows are written. Documents that must change
   * together go through `saveWithCopies`.
   */
  async saveAll<T extends FieldbookDoc>(drafts: Draft<T>[], db: Database = this.localDb.require()): Promise<T[]> {
    const writes: AuditedWrite[] = [];
    for (const draft of drafts) {
      const old = await this.base(db, draft);
      const doc = this.stamp(draft, old);
      this.check(doc, old);
      writes.push({ before: old, after: doc, stamp: doc });
    }
    const revs = await this.writeAudited(db, writes);
    return writes.map(({ after }, i) => ({ ...after, _rev: revs[i] }) as unknown as T);
  }

  /**
   * Saves `main` and its copy on other documents (a decision and its defects' copy of it,
   * `inspectionStatus`, which the rules read since they see one document): `copy` makes a
   * document's new version from its stored one. No server writes two documents atomically, so
   * the order decides what a race leaves. `main` goes first: a 409 if it changed since, and then
   * nothing else is written. Each copy is made on `copied` as given, and made again on the
   * document as stored when its write conflicts (an edit arriving meanwhile keeps its content and
   * gets the copy); one that changes nothing, or whose document is gone, is not written. Everything
   * is checked against the rules before anything is written. Returns what was stored.
   */
  async saveWithCopies<T extends FieldbookDoc, C extends FieldbookDoc>(
    main: Draft<T>,
    copied: readonly C[],
    copy: (stored: C) => Draft<C>,
    db: Database = this.localDb.require(),
  ): Promise<{ main: T; copies: C[] }> {
    const old = await this.base(db, main);
    const doc = this.stamp(main, old);
    this.check(doc, old);
    let pending = this.copyWrites(copied, copy);
    const [rev] = await this.writeAudited(db, [{ before: old, after: doc, stamp: doc }]);
    const copies: C[] = [];
    for (let attempt = 1; pending.length; attempt++) {
      const rows = await this.writeAuditedRows(db, pending);
      const conflicted: string[] = [];
      for (const [i, row] of rows.entries()) {
        if (!('error' in row)) copies.push({ ...pending[i].after, _rev: row.rev } as C);
        else if (isConflictRow(row) && attempt < COPY_ATTEMPTS) conflicted.push(pending[i].after._id);
        else throw rowError(row);
      }
      pending = conflicted.length ? this.copyWrites(await storedDocs<C>(db, conflicted), copy) : [];
    }
    return { main: { ...doc, _rev: rev } as unknown as T, copies };
  }

  /** The audited writes of `copy` on each stored document it changes, checked against the rules. */
  private copyWrites<C extends FieldbookDoc>(stored: readonly C[], copy: (stored: C) => Draft<C>): AuditedWrite[] {
    return stored.flatMap((old) => {
      const draft = copy(old);
      if (jsonEqual(draft, old)) return [];
      const doc = this.stamp(draft, old);
      this.check(doc, old);
      return [{ before: old, after: doc, stamp: doc }];
    });
  }

  /**
   * Deletes a document: a tombstone that replicates, saying who deleted it, when and on which
   * device (for the conflict inbox, should another device have edited it meanwhile), and what
   * else the deletion took (`took`: an inspection's defects, for a version kept over it); a
   * defect's photo documents `photos` go in the same write.
   */
  async remove(doc: DocRevision, photos: readonly PhotoRemoval[] = [], took: DeletionTook = {}): Promise<void> {
    const db = this.localDb.require();
    const old = await db.get<Stored>(doc._id);
    const tombstone = { _id: old._id, _rev: old._rev, _deleted: true, ...took, ...this.changeStamp() };
    this.check(tombstone, old);
    await this.writeAudited(db, [{ before: old, after: tombstone, stamp: tombstone }], photos.map(photoTombstone));
  }

  /**
   * Creates a defect with its thumbnails and, in the same `bulkDocs` (before it, as audit
   * entries go), the full-size photos they stand for as photo documents: refused, nothing is stored.
   */
  async createWithPhotos(draft: Draft<Defect>, photos: readonly NewPhoto[]): Promise<Defect> {
    const db = this.localDb.require();
    const doc = this.stamp(draft, null);
    this.check(doc, null);
    const [rev] = await this.writeAudited(db, [{ before: null, after: doc, stamp: doc }], this.photoDocs(doc, photos));
    return { ...doc, _rev: rev } as Defect;
  }

  /**
   * Adds attachments (thumbnails) to the revision `doc` names, as one audited revision, with the
   * full-size `photos` they stand for as photo documents in the same `bulkDocs`, and returns
   * the new revision; a 409 if the document has changed since.
   */
  attach(doc: DocRevision, attachments: Record<string, PhotoAttachment>, photos: readonly NewPhoto[] = []): Promise<string> {
    return this.updateAttachments(
      doc,
      (current) => ({ ...current, ...attachments }),
      (defect) => this.photoDocs(defect, photos),
    );
  }

  /** Removes attachments from the revision `doc` names, as `attach` adds them, deleting the photo documents `photos` in the same write. */
  detach(doc: DocRevision, names: string[], photos: readonly PhotoRemoval[] = []): Promise<string> {
    return this.updateAttachments(
      doc,
      (current) => {
        const kept = { ...current };
        for (const name of names) delete kept[name];
        return kept;
      },
      () => photos.map(photoTombstone),
    );
  }

  /**
   * Brings back photo documents deleted while their defect lives on (PhotoRestoreService): each
   * `photo` as it was before the deletion, written on top of the tombstone its `_rev` names, in
   * one `bulkDocs`. Over a tombstone the rules see no stored photo and check it as a new one: only
   * whoever took it may bring it back, and without `partners`. Throws ValidationError if they
   * refuse one (nothing is written), else the first failed row's error (a 409 if one changed meanwhile).
   */
  async restorePhotos(photos: readonly PhotoDoc[]): Promise<void> {
    const db = this.localDb.require();
    for (const photo of photos) this.check(photo, null);
    const rows = await db.bulkDocs(photos as PouchDB.Core.PutDocument<PhotoDoc>[]);
    const failed = rows.find((row) => 'error' in row && !!row.error);
    if (failed) throw rowError(failed as PouchDB.Core.Error);
  }

  /**
   * Brings back a document deleted while a version of what it belongs to was kept over that
   * deletion (DefectRestoreService): `before`, its last revision before the deletion, stamped as
   * this user's change and written on top of the tombstone `tombstoneRev`, with its audit entry.
   * Over a tombstone the rules see no stored document and check it as a new one. Throws
   * ValidationError if they refuse it (nothing is written), else the write's error.
   */
  async restoreDeleted(before: StoredDoc, tombstoneRev: string): Promise<void> {
    const { _revisions, _conflicts, ...rest } = before;
    const fields = rest as unknown as Stored;
    const doc = { ...this.stamp(fields, fields), _rev: tombstoneRev };
    this.check(doc, null);
    await this.writeAudited(this.localDb.require(), [{ before: fields, after: doc, stamp: doc }]);
  }

  /**
   * Writes the documents of a conflict resolution into the local database: the merged result,
   * already stamped with `stampChange`, and tombstones. domain/conflicts checks them against
   * the shared rules first, each against the leaf it replaces, which only it knows. Their audit
   * entries are written after them, for the writes that succeeded (writeWithAuditEntries).
   */
  async writeResolution(docs: ResolutionWrite[]): Promise<BulkDocsRow[]> {
    const db = this.localDb.require();
    const leafOf = async (id: string, rev: string) => leafIn((await db.get(id, { open_revs: 'all' })) as unknown as OpenRevsRow[], rev);
    const entries = await resolutionAuditEntries(docs, leafOf, () => this.changeStamp());
    for (const entry of entries) this.check(entry, null);
    return writeWithAuditEntries(
      async (batch) => (await db.bulkDocs(batch as PouchDB.Core.PutDocument<object>[])) as BulkDocsRow[],
      docs,
      entries,
    );
  }

  /** `doc` as changed now by the logged-in user on this device. */
  stampChange<T extends object>(doc: T): T & ChangeStamp {
    return { ...withoutDeviceName(doc), ...this.changeStamp() } as T & ChangeStamp;
  }

  /** The logged-in user, who every write is made as. */
  author(): Session {
    const session = this.sessions.session();
    if (!session) throw new Error('Not logged in');
    return session;
  }

  private async updateAttachments(
    base: DocRevision,
    change: (current: PouchDB.Core.Attachments) => PouchDB.Core.Attachments,
    photoDocs: (defect: Stored) => object[],
  ): Promise<string> {
    const db = this.localDb.require();
    // On the revision the caller saw: if another has come since, a 409.
    const old = (await this.base(db, base))!;
    const { _attachments, ...rest } = old;
    const attachments = change(_attachments ?? {});
    const doc = this.stamp({ ...rest, ...(Object.keys(attachments).length ? { _attachments: attachments } : {}) }, old);
    this.check(doc, old);
    const [rev] = await this.writeAudited(db, [{ before: old, after: doc, stamp: doc }], photoDocs(doc));
    return rev;
  }

  /** The photo documents of `defect`'s new photos, checked against the rules. */
  private photoDocs(defect: Stored, photos: readonly NewPhoto[]): PhotoDoc[] {
    const docs = photos.map(({ stem, image }) =>
      newPhotoDoc(
        {
          defectId: defect._id,
          createdBy: this.author().name,
          createdAt: this.clock().toISOString(),
          deviceId: this.device,
        },
        stem,
        image,
      ),
    );
    for (const doc of docs) this.check(doc, null);
    return docs;
  }

  /**
   * The stored revision a change replaces (null for a new document), or a 409 when it is not the
   * one the change was made on: checked before writing, so the rules judge the change against
   * the revision it replaces.
   */
  private async base(db: Database, change: DocRevision): Promise<Stored | null> {
    if (!change._rev) return null;
    const old = await db.get<Stored>(change._id);
    if (old._rev !== change._rev) {
      throw Object.assign(new Error('Document update conflict'), { status: 409, name: 'conflict', error: 'conflict' });
    }
    return old;
  }

  /**
   * Writes the documents with their audit entries in one `bulkDocs` and returns their new
   * revisions; throws the first failed row's error (a 409 if one changed meanwhile).
   * `companions` (photo documents) go before the documents: a push checkpoint past a defect is
   * past its photos.
   */
  private async writeAudited(db: Database, writes: readonly AuditedWrite[], companions: readonly object[] = []): Promise<string[]> {
    const results = await this.writeAuditedRows(db, writes, companions);
    const failed = results.find((result) => 'error' in result);
    if (failed) throw rowError(failed);
    return results.map((result) => (result as PouchDB.Core.Response).rev);
  }

  /** `writeAudited`'s write, answering each document's row (a failed companion is thrown, once the entries are written). */
  private async writeAuditedRows(db: Database, writes: readonly AuditedWrite[], companions: readonly object[] = []): Promise<WriteRow[]> {
    const entries = writes.map((write) => auditEntry(write, crypto.randomUUID().slice(0, 8)));
    for (const entry of entries) this.check(entry, null);
    const rows = await db.bulkDocs([...companions, ...writes.map(({ after }) => after)] as PouchDB.Core.PutDocument<object>[]);
    const written = rows
      .slice(companions.length)
      .map((row) => ('error' in row && row.error ? (row as PouchDB.Core.Error) : (row as PouchDB.Core.Response)));
    // Only the entries of the writes that landed: one written beside a write that failed (a 409,
    // an edit arriving meanwhile, another tab's save) stayed, naming a change that never happened.
    const landed = entries.filter((_, i) => !('error' in written[i]!));
    // The records are saved: a failure now (storage full, the hub out of reach) costs their entries,
    // not a "not saved" that a retry would meet as a 409.
    if (landed.length)
      await db
        .bulkDocs(landed as PouchDB.Core.PutDocument<object>[])
        .catch((error: unknown) => console.warn('Audit entries not written', error));
    const failedPhoto = await companionFailure(db, companions, rows.slice(0, companions.length));
    if (failedPhoto) throw Object.assign(new Error(failedPhoto.message ?? 'photo not stored'), failedPhoto);
    return written;
  }

  /** `draft` as changed now, here, in the current shape (domain/schema-versions.ts): every save writes the current version. */
  private stamp<T extends FieldbookDoc>(draft: Draft<T> | Stored, old: Stored | null): Stored {
    const change = this.changeStamp();
    return {
      ...withoutDeviceName(migrateDoc(draft)),
      createdBy: old?.createdBy ?? change.updatedBy,
      createdAt: old?.createdAt ?? change.updatedAt,
      ...change,
    } as unknown as Stored;
  }

  private changeStamp(): ChangeStamp {
    const name = this.deviceName();
    return {
      updatedBy: this.author().name,
      updatedAt: this.clock().toISOString(),
      deviceId: this.device,
      ...(name ? { deviceName: name } : {}),
    };
  }

  private check(doc: { _id: string; _rev?: string; _deleted?: boolean }, old: Stored | null): void {
    const errors = validateDoc(doc, old, this.author());
    if (Object.keys(errors).length) throw new ValidationError(errors);
  }
}

/** How often a copy is made again on a document that keeps changing under it before the save gives up (409). */
const COPY_ATTEMPTS = 5;

type WriteRow = PouchDB.Core.Response | PouchDB.Core.Error;

/** A remote database answers rows CouchDB's way, `{error: 'conflict', reason}`, without a status. */
function rowStatus(row: PouchDB.Core.Error): number | undefined {
  return row.status ?? { conflict: 409, forbidden: 403, unauthorized: 401 }[String(row.error)];
}

function isConflictRow(row: WriteRow): boolean {
  return 'error' in row && rowStatus(row) === 409;
}

/** A failed row as the error a single write would have thrown. */
function rowError(row: WriteRow): Error {
  const failed = row as PouchDB.Core.Error;
  return Object.assign(new Error(failed.reason ?? failed.message ?? String(failed.error)), {
    status: rowStatus(failed),
    error: failed.error,
  });
}

/** The documents stored under `ids` now, leaving out those deleted since. */
async function storedDocs<C extends FieldbookDoc>(db: Database, ids: string[]): Promise<C[]> {
  const { rows } = await db.allDocs<C>({ keys: ids, include_docs: true });
  return rows.flatMap((row) => ('doc' in row && row.doc ? [row.doc as C] : []));
}

/** The deletion of a photo document, written with its defect's change. */
function photoTombstone({ _id, _rev }: PhotoRemoval): object {
  return { _id, _rev, _deleted: true };
}

/** `doc` without the name of the device that last changed it: a change made here names this device, or none. */
function withoutDeviceName<T extends object>(doc: T): T {
  const { deviceName: _previous, ...rest } = doc as T & { deviceName?: string };
  return rest as T;
}

/**
 * The first companion (a photo document) not written, but for a deletion of a photo this device
 * no longer holds: the photo cache (or another tab) purged it meanwhile, so nothing is left here
 * to delete, and the record's write stands.
 */
async function companionFailure(
  db: Database,
  companions: readonly object[],
  rows: readonly WriteRow[],
): Promise<PouchDB.Core.Error | null> {
  for (const [i, row] of rows.entries()) {
    if (!('error' in row) || !row.error) continue;
    const companion = companions[i] as { _id: string; _deleted?: boolean };
    if (companion._deleted && (await leavesOf(db, companion._id)).length === 0) continue;
    return row as PouchDB.Core.Error;
  }
  return null;
}
