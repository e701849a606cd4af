import { Injectable, InjectionToken, inject } from '@angular/core';
import { THUMB_PREFIX, isPhotoId } from '../../../domain/photo-doc';
import { LocalDbService } from '../core/local-db.service';
import { DraftStore } from '../drafts/draft-store.service';
import { PhotoCacheService } from '../photos/photo-cache.service';

/**
 * Bytes the archive keeps on this device, or null while nothing reports them (the storage view
 * then says the archive is not measured). The app provides it from the archive's `_local` index
 * (app.config.ts): archived inspections themselves are no longer on the device.
 */
export const ARCHIVE_STORAGE = new InjectionToken<() => Promise<number | null>>('ARCHIVE_STORAGE', {
  factory: () => async () => null,
});

/** What the user's local database holds, by kind, in bytes. */
export interface StorageUsage {
  /** Inspections, defects and audit entries, as JSON. */
  records: number;
  /** Thumbnails, carried by their defects. */
  thumbnails: number;
  /** Full-size photos: photo documents, and the inline photos of defects from before photos on demand. */
  photos: number;
  /** Of the photos, those the server does not have yet: never dropped. */
  unsyncedPhotos: number;
  /** Of the photos, those "Free space" drops (the server has them; opening one fetches it again). */
  droppable: number;
  /** Photos picked on forms not saved yet, kept with their drafts as base64: the only copy, never dropped. */
  draftPhotos: number;
  archive: number | null;
}

type StoredDoc = { _id: string; _attachments?: Record<string, { length?: number }> };

/** The storage view's figures: one read of every document's stub (attachment data stays in IndexedDB). */
@Injectable({ providedIn: 'root' })
export class StorageUsageService {
  private readonly localDb = inject(LocalDbService);
  private readonly photos = inject(PhotoCacheService);
  private readonly archive = inject(ARCHIVE_STORAGE);
  private readonly drafts = inject(DraftStore);

  async usage(): Promise<StorageUsage> {
    const db = this.localDb.require();
    const [{ rows }, photoDocs, draftPhotos, archive] = await Promise.all([
      db.allDocs({ include_docs: true }),
      this.photos.localPhotos(db),
      // The sizes their drafts list: reading the photos themselves would load every one's bytes.
      this.drafts.keptPhotoSize(db),
      this.archive(),
    ]);
    const usage: StorageUsage = { records: 0, thumbnails: 0, photos: 0, unsyncedPhotos: 0, droppable: 0, draftPhotos, archive };
    for (const photo of photoDocs) {
      usage.photos += photo.bytes;
      if (photo.unsynced) usage.unsyncedPhotos += photo.bytes;
      else usage.droppable += photo.bytes;
    }
    for (const row of rows) {
      const doc = row.doc as StoredDoc | undefined;
      if (!doc || isPhotoId(doc._id) || doc._id.startsWith('_design/')) continue;
      const { _attachments, ...fields } = doc;
      usage.records += JSON.stringify(fields).length;
      for (const [name, attachment] of Object.entries(_attachments ?? {})) {
        if (name.startsWith(THUMB_PREFIX)) usage.thumbnails += attachment.length ?? 0;
        else usage.photos += attachment.length ?? 0;
      }
    }
    return usage;
  }
}
