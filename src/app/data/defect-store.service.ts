import { Injectable, inject } from '@angular/core';
import { Defect, DefectStatus } from '../../../domain/doc-types';
import { LocalDbService } from '../core/local-db.service';
import { PHOTO_MAX_SIDE, THUMB_MAX_SIDE, downscaleImage } from '../photos/image-downscaler';
import { DocRevision, DocWriterService, PhotoAttachment, newDocId } from './doc-writer.service';
import { WithConflicts, readWithConflicts } from './read-with-conflicts';
import { LOCAL_FIND_LIMIT } from './find-limit';

export interface DefectInput {
  title: string;
  description?: string;
  severity: Defect['severity'];
  location?: string;
  status: DefectStatus;
}

/** One photo of a defect: the downscaled image and its thumbnail, two attachments. */
export interface PhotoRef {
  photo: string;
  thumb: string;
}

/** A photo downscaled and thumbnailed, not attached yet: it can be shown, and attached on save. */
export interface PreparedPhoto {
  ref: PhotoRef;
  photo: Blob;
  thumb: Blob;
}

export type StoredDefect = WithConflicts<Defect> & { _attachments?: PouchDB.Core.Attachments };

const PHOTO_PREFIX = 'photo-';
const THUMB_PREFIX = 'thumb-';

/** The photos of a defect, in the order they were taken. */
export function photosOf(defect: { _attachments?: object }): PhotoRef[] {
  return Object.keys(defect._attachments ?? {})
    .filter((name) => name.startsWith(PHOTO_PREFIX))
    .sort()
    .map((photo) => ({ photo, thumb: THUMB_PREFIX + photo.slice(PHOTO_PREFIX.length) }));
}

function attachmentsOf(photos: readonly PreparedPhoto[]): Record<string, PhotoAttachment> {
  const attachments: Record<string, PhotoAttachment> = {};
  for (const { ref, photo, thumb } of photos) {
    attachments[ref.photo] = { content_type: photo.type, data: photo };
    attachments[ref.thumb] = { content_type: thumb.type, data: thumb };
  }
  return attachments;
}

/** Defects of an inspection, with their photos stored as attachments of the defect doc. */
@Injectable({ providedIn: 'root' })
export class DefectStoreService {
  private readonly localDb = inject(LocalDbService);
  private readonly writer = inject(DocWriterService);

  /** The inspection's defects, most severe first. */
  async forInspection(inspectionId: string): Promise<StoredDefect[]> {
    const db = this.localDb.require();
    const found = await db.find({
      selector: { inspectionId },
      fields: ['_id'],
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    const defects = await readWithConflicts<StoredDefect>(
      db,
      found.docs.map((doc) => doc._id),
    );
    return defects.sort((a, b) => b.severity - a.severity || a.title.localeCompare(b.title));
  }

  get(id: string): Promise<StoredDefect> {
    return this.localDb.require().get<StoredDefect>(id, { conflicts: true });
  }

  /** Creates a defect with its photos (prepared by `preparePhoto`), in one write: refused, nothing is stored. */
  create(inspectionId: string, input: DefectInput, photos: readonly PreparedPhoto[] = []): Promise<Defect> {
    const attachments = photos.length ? { _attachments: attachmentsOf(photos) } : {};
    return this.writer.save<Defect>({ _id: newDocId('defect'), type: 'defect', inspectionId, ...input, ...attachments });
  }

  update(defect: Defect, changes: Partial<DefectInput>): Promise<Defect> {
    const { _conflicts, ...doc } = defect as StoredDefect;
    return this.writer.save<Defect>({ ...doc, ...changes });
  }

  remove(defect: Defect): Promise<void> {
    return this.writer.remove(defect);
  }

  /**
   * Downscales a camera image (EXIF orientation applied) and stores it with a thumbnail on the
   * revision `defect` names (a 409 if it changed since); returns the photo and the new revision.
   */
  async addPhoto(defect: DocRevision, image: Blob): Promise<{ ref: PhotoRef; rev: string }> {
    const prepared = await this.preparePhoto(image);
    const rev = await this.writer.attach(defect, attachmentsOf([prepared]));
    return { ref: prepared.ref, rev };
  }

  /**
   * Downscales a camera image (EXIF orientation applied) and makes its thumbnail, named by the
   * time it was taken; rejects an image that cannot be read.
   */
  async preparePhoto(image: Blob): Promise<PreparedPhoto> {
    const photo = await downscaleImage(image, { maxSide: PHOTO_MAX_SIDE });
    const thumb = await downscaleImage(photo, { maxSide: THUMB_MAX_SIDE });
    // Time-ordered names keep photos in the order they were taken.
    const stem = `${Date.now().toString(36).padStart(9, '0')}-${crypto.randomUUID().slice(0, 8)}.jpg`;
    return { ref: { photo: PHOTO_PREFIX + stem, thumb: THUMB_PREFIX + stem }, photo, thumb };
  }

  /** Removes a photo and its thumbnail from the revision `defect` names; returns the new revision. */
  removePhoto(defect: DocRevision, ref: PhotoRef): Promise<string> {
    return this.writer.detach(defect, [ref.photo, ref.thumb]);
  }

  /** An attachment's bytes, from the local database (works offline). */
  async attachment(defectId: string, name: string): Promise<Blob> {
    return (await this.localDb.require().getAttachment(defectId, name)) as Blob;
  }
}
