import { Injectable, inject } from '@angular/core';
import { Defect, DefectStatus, Inspection, PhotoDoc } from '../../../domain/doc-types';
import { PHOTO_ATTACHMENT, THUMB_PREFIX, photoDocId, photoIdRangeOf } from '../../../domain/photo-doc';
import { LocalDbService } from '../core/local-db.service';
import { PHOTO_MAX_SIDE, THUMB_MAX_SIDE, downscaleImage } from '../photos/image-downscaler';
import { DocRevision, DocWriterService, NewPhoto, PhotoAttachment, PhotoRemoval, newDocId } from './doc-writer.service';
import { WithConflicts, readWithConflicts } from './read-with-conflicts';
import { LOCAL_FIND_LIMIT } from './find-limit';

export interface DefectInput {
  title: string;
  description?: string;
  severity: Defect['severity'];
  location?: string;
  status: DefectStatus;
}

/** An attachment of a document. */
export interface AttachmentRef {
  docId: string;
  name: string;
}

/**
 * One photo of a defect: its thumbnail, an attachment of the defect that syncs with it, and
 * where its full size is: a photo document (domain/photo-doc.ts), fetched when opened, or on a
 * defect from before photos on demand, the defect's own `photo-…` attachment.
 */
export interface PhotoRef {
  thumb: string;
  full: AttachmentRef;
}

/** A photo downscaled and thumbnailed, not stored yet: it can be shown, and stored on save. */
export interface PreparedPhoto {
  /** The time-ordered name the thumbnail and the photo document share. */
  stem: string;
  photo: Blob;
  thumb: Blob;
}

export type StoredDefect = WithConflicts<Defect> & { _attachments?: PouchDB.Core.Attachments };

const PHOTO_PREFIX = 'photo-';

/** The photos of a defect, in the order they were taken. */
export function photosOf(defect: { _id?: string; _attachments?: object }): PhotoRef[] {
  const names = Object.keys(defect._attachments ?? {});
  return names
    .filter((name) => name.startsWith(THUMB_PREFIX))
    .sort()
    .map((thumb) => {
      const stem = thumb.slice(THUMB_PREFIX.length);
      const inline = PHOTO_PREFIX + stem;
      const full = names.includes(inline)
        ? { docId: defect._id!, name: inline }
        : { docId: photoDocId(defect._id!, stem), name: PHOTO_ATTACHMENT };
      return { thumb, full };
    });
}

/** The thumbnails a defect carries. */
function thumbsOf(photos: readonly PreparedPhoto[]): Record<string, PhotoAttachment> {
  return Object.fromEntries(photos.map(({ stem, thumb }) => [THUMB_PREFIX + stem, { content_type: thumb.type, data: thumb }]));
}

/** The full-size photos, stored as photo documents. */
function fullSizes(photos: readonly PreparedPhoto[]): NewPhoto[] {
  return photos.map(({ stem, photo }) => ({ stem, image: { content_type: photo.type, data: photo } }));
}

/** Defects of an inspection: thumbnails are attachments of the defect, full-size photos documents of their own. */
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

  /**
   * Creates a defect with its photos (prepared by `preparePhoto`), in one write: refused, nothing is
   * stored. Under a submitted or approved inspection it carries that status (`inspectionStatus`),
   * as submission and review give their defects, so the rules hold it like its inspection.
   */
  async create(inspectionId: string, input: DefectInput, photos: readonly PreparedPhoto[] = []): Promise<Defect> {
    const { status } = await this.localDb.require().get<Inspection>(inspectionId);
    // No copy means open: an inspector may not write `rejected`.
    const copy = status === 'submitted' || status === 'approved' ? { inspectionStatus: status } : {};
    const attachments = photos.length ? { _attachments: thumbsOf(photos) } : {};
    const draft = { _id: newDocId('defect'), type: 'defect' as const, inspectionId, ...input, ...copy, ...attachments };
    return this.writer.createWithPhotos(draft, fullSizes(photos));
  }

  update(defect: Defect, changes: Partial<DefectInput>): Promise<Defect> {
    const { _conflicts, ...doc } = defect as StoredDefect;
    return this.writer.save<Defect>({ ...doc, ...changes });
  }

  /**
   * Deletes a defect with the photo documents this device holds of it (others stay on the server,
   * unreferenced), in one write; `photos`, if given, as `localPhotoDocs` read them.
   */
  async remove(defect: Defect, photos?: readonly PhotoDoc[]): Promise<void> {
    const held = photos ?? (await this.localPhotoDocs(defect._id));
    return this.writer.remove(
      defect,
      held.map(({ _id, _rev }) => ({ _id, _rev: _rev! })),
    );
  }

  /** The photo documents this device holds of a defect (their attachments as stubs, without the image). */
  async localPhotoDocs(defectId: string): Promise<PhotoDoc[]> {
    const { rows } = await this.localDb.require().allDocs<PhotoDoc>({ ...photoIdRangeOf(defectId), include_docs: true });
    return rows.map((row) => row.doc!);
  }

  /**
   * Downscales a camera image (EXIF orientation applied) and stores it with a thumbnail on the
   * revision `defect` names (a 409 if it changed since); returns the photo and the new revision.
   */
  async addPhoto(defect: DocRevision, image: Blob): Promise<{ ref: PhotoRef; rev: string }> {
    const prepared = await this.preparePhoto(image);
    const rev = await this.writer.attach(defect, thumbsOf([prepared]), fullSizes([prepared]));
    const thumb = THUMB_PREFIX + prepared.stem;
    return { ref: { thumb, full: { docId: photoDocId(defect._id, prepared.stem), name: PHOTO_ATTACHMENT } }, rev };
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
    return { stem, photo, thumb };
  }

  /**
   * Removes a photo from the revision `defect` names: its thumbnail (and an old defect's inline
   * photo), and its photo document if this device holds it (one it does not hold stays on the
   * server, unreferenced); returns the new revision.
   */
  async removePhoto(defect: DocRevision, ref: PhotoRef): Promise<string> {
    if (ref.full.docId === defect._id) return this.writer.detach(defect, [ref.thumb, ref.full.name]);
    const photo = await this.localDb
      .require()
      .get(ref.full.docId)
      .then(
        (doc): PhotoRemoval[] => [{ _id: doc._id, _rev: doc._rev }],
        () => [],
      );
    return this.writer.detach(defect, [ref.thumb], photo);
  }

  /** An attachment's bytes, from the local database (works offline). */
  async attachment(defectId: string, name: string): Promise<Blob> {
    return (await this.localDb.require().getAttachment(defectId, name)) as Blob;
  }
}
