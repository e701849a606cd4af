/**
 * Full-size photos in documents of their own (`photo:<defectId>:<stem>`, one attachment), so
 * tablets pull only the thumbnails their defects carry and fetch a full photo when someone
 * opens it. docs/ARCHITECTURE.md ("Photos on demand") says why.
 */
import type { PhotoDoc } from './doc-types';

export const PHOTO_ID_PREFIX = 'photo:';

/** The one attachment of a photo document. */
export const PHOTO_ATTACHMENT = 'full';

/** A defect carries each photo as its thumbnail, the attachment `thumb-<stem>`. */
export const THUMB_PREFIX = 'thumb-';

/** The id of the full-size photo a defect's thumbnail `thumb-<stem>` stands for. */
export function photoDocId(defectId: string, stem: string): string {
  return `${PHOTO_ID_PREFIX}${defectId}:${stem}`;
}

/** The thumbnail a photo document stands behind: its defect's attachment of the same stem. */
export function thumbnailOf(photo: Pick<PhotoDoc, '_id' | 'defectId'>): string {
  return THUMB_PREFIX + photo._id.slice(photoDocId(photo.defectId, '').length);
}

/** A defect's id starts so (`defect:<uuid>`); its photos' ids name it (`photo:<defect id>:<stem>`). */
export function isDefectId(id: string): boolean {
  return id.startsWith('defect:');
}

/** Photo documents are not records: lists and counts leave them out; the tablet's pull does not bring them. */
export function isPhotoId(id: string): boolean {
  return id.startsWith(PHOTO_ID_PREFIX);
}

/** The defect a photo document's id names (`photo:<defectId>:<stem>`), or null for an id not of that shape. */
export function photoDefectId(id: string): string | null {
  return PHOTO_ID.exec(id)?.[1] ?? null;
}
const PHOTO_ID = new RegExp(`^${PHOTO_ID_PREFIX}(defect:[^:]+):`);

/** The primary-index range of one defect's photo documents (`allDocs`). */
export function photoIdRangeOf(defectId: string): { startkey: string; endkey: string } {
  return { startkey: photoDocId(defectId, ''), endkey: photoDocId(defectId, '\ufff0') };
}

/** The primary-index range of every photo document (`allDocs`). */
export const PHOTO_ID_RANGE = { startkey: PHOTO_ID_PREFIX, endkey: `${PHOTO_ID_PREFIX}\ufff0` } as const;

/**
 * What a tablet's live pull and first pull take from its server database: everything but
 * photo documents. A server-side `_selector` filter: CouchDB evaluates it on the changes feed
 * and sends only the rows that pass, no document bodies (bench/browser-sync measures it).
 */
export const PULL_SELECTOR = { _id: { $regex: '^(?!photo:)' } } as const;

/** A photo document as written by the tablet that took the photo: stamped like a record's creation. */
export function newPhotoDoc(
  fields: Pick<PhotoDoc, 'defectId' | 'createdBy' | 'createdAt' | 'deviceId'>,
  stem: string,
  image: { content_type: string; data: unknown },
): PhotoDoc {
  return {
    _id: photoDocId(fields.defectId, stem),
    type: 'photo',
    ...fields,
    _attachments: { [PHOTO_ATTACHMENT]: image },
  };
}
