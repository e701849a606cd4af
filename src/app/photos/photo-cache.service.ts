import { Injectable, InjectionToken, inject } from '@angular/core';
import { PHOTO_ID_RANGE, isPhotoId } from '../../../domain/photo-doc';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { LocalDbService } from '../core/local-db.service';
import { LocalRecordMap, withoutKeys } from '../core/local-record-map';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { UserServerDb } from '../core/user-server-db';
import type { AttachmentRef } from '../data/defect-store.service';
import { leavesOf, purgeDoc } from '../data/purge-doc';
import { ProgressListener, downloadAttachment } from './attachment-download';
import { LocalPhoto, photosToEvict } from './photo-budget';
import { PhotoUnavailableError, photoUnavailable } from './photo-unavailable';
import { SerialQueue } from '../shared/serial-queue';
import { isStorageFull } from '../storage/storage-full';

/** Bytes of full-size photos a device keeps once the server has them (about 200 photos). */
export const PHOTO_CACHE_BUDGET = new InjectionToken<number>('PHOTO_CACHE_BUDGET', { factory: () => 64 * 1024 * 1024 });

type StoredAttachment = { content_type: string; data?: Blob };

type FetchedDoc = PouchDB.Core.Document<object> & PouchDB.Core.GetMeta & { _attachments?: Record<string, StoredAttachment> };

type PhotoDocStub = { _id: string; createdAt?: string; _attachments?: Record<string, { length?: number }> };

/**
 * Full-size photos on this device. Photo documents (domain/photo-doc.ts) do not come with the
 * pull: the tablet that took one holds it until pushed; anyone else's is fetched from the
 * user's server database when opened and kept as a copy, the least recently opened dropped
 * (purged: gone from IndexedDB, and no tombstone to sync) once they pass the budget. A photo
 * the server does not have yet (the push ledger's pending or refused) is never dropped.
 */
@Injectable({ providedIn: 'root' })
export class PhotoCacheService {
  private readonly localDb = inject(LocalDbService);
  private readonly server = inject(UserServerDb);
  private readonly ledger = inject(PushLedgerService);
  private readonly budget = inject(PHOTO_CACHE_BUDGET);
  /** Photo document id → when it was last opened here (ms). */
  private readonly usage = new LocalRecordMap<number>(LOCAL_DOC_IDS.photoCache, 'usedAt');
  /**
   * One fetched photo stored and the budget enforced at a time: overlapping downloads each judged
   * from a list read while the others were storing or dropping, and between them dropped every
   * photo, first those just opened (not noted as opened yet).
   */
  private readonly storing = new SerialQueue();

  /**
   * An attachment from this device; a photo document's missing here is fetched from the server,
   * kept (unless storage is full even after dropping synced photos), and the budget enforced;
   * `onProgress` hears its bytes arrive. Rejects with
   * PhotoUnavailableError when it cannot be fetched.
   */
  async read(ref: AttachmentRef, onProgress?: ProgressListener): Promise<Blob> {
    const db = this.localDb.require();
    try {
      const blob = (await db.getAttachment(ref.docId, ref.name)) as Blob;
      if (isPhotoId(ref.docId)) void this.noteUse(db, ref.docId);
      return blob;
    } catch (error) {
      if ((error as { status?: number }).status !== 404 || !isPhotoId(ref.docId)) throw error;
    }
    return this.fetch(db, ref, onProgress);
  }

  /** Every photo document on this device: its size, when last opened, and whether the server has it. */
  async localPhotos(db: Database = this.localDb.require()): Promise<LocalPhoto[]> {
    const [{ rows }, usage] = await Promise.all([db.allDocs({ ...PHOTO_ID_RANGE, include_docs: true }), this.usage.read(db)]);
    // Before the ledger keeps this database's books, nothing counts as synced.
    const known = this.ledger.isAttachedTo(db);
    const pending = this.ledger.pendingIds();
    const refused = this.ledger.rejections();
    return rows.flatMap((row) => {
      const doc = row.doc as PhotoDocStub | undefined;
      if (!doc) return [];
      const bytes = Object.values(doc._attachments ?? {}).reduce((sum, attachment) => sum + (attachment.length ?? 0), 0);
      const usedAt = usage[doc._id] ?? (Date.parse(doc.createdAt ?? '') || 0);
      return [{ id: doc._id, bytes, usedAt, unsynced: !known || pending.has(doc._id) || !!refused[doc._id] }];
    });
  }

  /** Drops every full-size photo the server has (opening one fetches it again); returns the bytes freed. */
  async dropSynced(): Promise<number> {
    const db = this.localDb.require();
    const synced = (await this.localPhotos(db)).filter((photo) => !photo.unsynced);
    const dropped = new Set(
      await this.drop(
        db,
        synced.map((photo) => photo.id),
      ),
    );
    return synced.reduce((sum, photo) => sum + (dropped.has(photo.id) ? photo.bytes : 0), 0);
  }

  /**
   * Drops what passes the budget. Photos taken here count once the server has them, and no
   * fetch of another's may come to drop them: called when sync has caught up (ArchiveService).
   */
  keepWithinBudget(db: Database = this.localDb.require()): Promise<void> {
    return this.storing.run(() => this.dropOverBudget(db));
  }

  private async fetch(db: Database, ref: AttachmentRef, onProgress?: ProgressListener): Promise<Blob> {
    const remote = this.server.require();
    let doc: FetchedDoc;
    let blob: Blob;
    try {
      doc = await remote.get(ref.docId, { revs: true });
      if (!doc._attachments?.[ref.name]) throw new PhotoUnavailableError('missing');
      // The bytes of this very revision, the one asked for with its progress.
      for (const [name, attachment] of Object.entries(doc._attachments)) {
        const data = await downloadAttachment(remote, doc._id, name, {
          rev: doc._rev,
          onProgress: name === ref.name ? onProgress : undefined,
        });
        doc._attachments[name] = { content_type: attachment.content_type, data };
      }
      blob = doc._attachments[ref.name].data as Blob;
    } catch (error) {
      throw photoUnavailable(error);
    }
    try {
      await this.storing.run(() => this.store(db, doc));
    } catch (error) {
      // The bytes are here: shown, not kept (opening it again downloads it again).
      console.warn('A fetched photo was not kept on this device', error);
    }
    return blob;
  }

  /** Keeps a fetched photo document, if there is room, and drops what passes the budget. */
  private async store(db: Database, doc: FetchedDoc): Promise<void> {
    if (!(await this.keep(db, doc))) return;
    // Came from the server: not a local edit waiting to be pushed.
    this.ledger.pulled([{ _id: doc._id, _rev: doc._rev }]);
    await this.noteUse(db, doc._id);
    await this.dropOverBudget(db);
  }

  private async dropOverBudget(db: Database): Promise<void> {
    await this.drop(db, photosToEvict(await this.localPhotos(db), this.budget));
  }

  /**
   * Stores a fetched photo document as the replicator stores what it pulls: this very revision,
   * with its history. With the browser's storage full, synced photos are dropped to make room
   * for it first; false when it still does not fit (the photo is shown without being kept).
   */
  private async keep(db: Database, doc: FetchedDoc): Promise<boolean> {
    const write = () => db.bulkDocs([doc], { new_edits: false });
    try {
      await write();
      return true;
    } catch (error) {
      if (!(await isStorageFull(error))) throw error;
    }
    const held = await this.localPhotos(db);
    const heldBytes = held.reduce((sum, photo) => sum + photo.bytes, 0);
    const bytes = Object.values(doc._attachments ?? {}).reduce((sum, attachment) => sum + (attachment.data?.size ?? 0), 0);
    const incoming: LocalPhoto = { id: doc._id, bytes, usedAt: Date.now(), unsynced: false };
    // Counting this photo in, down to the budget and at least its size freed: the browser has no room left.
    const evicted = photosToEvict([...held, incoming], Math.min(this.budget, heldBytes)).filter((id) => id !== doc._id);
    await this.drop(db, evicted);
    try {
      await write();
      return true;
    } catch (error) {
      if (!(await isStorageFull(error))) throw error;
      return false;
    }
  }

  /** Purges these photos, but one changed here since it was judged synced (removed meanwhile): that change stays to sync. Returns those purged. */
  private async drop(db: Database, ids: readonly string[]): Promise<string[]> {
    const dropped: string[] = [];
    for (const id of ids) {
      // Read before the look: a change written after it is not purged.
      const leaves = await leavesOf(db, id);
      if (await this.ledger.holdsUnsynced(db, [id])) continue;
      if (await purgeDoc(db, id, leaves)) dropped.push(id);
    }
    if (dropped.length) await this.usage.update(db, (usedAt) => withoutKeys(usedAt, dropped));
    return dropped;
  }

  /** Notes when a photo was opened, for the budget to drop the least recent first; refused (storage full), it is only not noted. */
  private async noteUse(db: Database, id: string): Promise<void> {
    try {
      await this.usage.update(db, (usedAt) => ({ ...usedAt, [id]: Date.now() }));
    } catch (error) {
      console.error('Noting when a photo was opened failed', error);
    }
  }
}
