import { Injectable, inject } from '@angular/core';
import { isNotFound } from '../../../domain/conflicts/conflict-db';
import { ConflictedDoc } from '../../../domain/conflicts/conflicted-docs';
import { StoredDoc } from '../../../domain/conflicts/stored-doc';
import { PhotoDoc } from '../../../domain/doc-types';
import { PHOTO_ATTACHMENT } from '../../../domain/photo-doc';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { UserServerDb } from '../core/user-server-db';
import { photosOf } from './defect-store.service';
import { DocWriterService } from './doc-writer.service';
import { RestoreOutcome, restoreOverTombstone } from './restore-over-tombstone';

/**
 * The photo documents of `kept`, a defect that lives on after a conflict (its result, or its
 * winning revision while the conflict stands), which one of its conflicting `leaves` did without:
 * a deletion of the defect (DefectStoreService.remove deletes them with it), or the removal of
 * that photo. A defect's old inline photos have none.
 */
export function photosAtRisk(kept: { _id: string; _attachments?: object }, leaves: readonly { _attachments?: object }[]): string[] {
  return photosOf(kept)
    .filter((ref) => ref.full.docId !== kept._id && leaves.some((leaf) => !(ref.thumb in (leaf._attachments ?? {}))))
    .map((ref) => ref.full.docId);
}

/**
 * Brings back the full-size photos of a defect that came back from its deletion. Deleting a
 * defect deletes the photo documents the device holds in the same write; when an edit made
 * elsewhere meanwhile wins (CouchDB prefers a live leaf over a deleted one, and the inbox lets
 * the user keep it), the defect is back with its thumbnails, but its photos were deleted, and
 * the deleting tablet compacted their images away at once. The server still holds the revision
 * before the deletion (until it compacts), and so may the device that took the photo.
 *
 * So a photo of such a defect that is deleted, here or on the server, is written again on top
 * of its tombstone, as it was: the image from this device if it still has it, else from the
 * server. The write is local and pushed like any edit (held until pushed: the photo cache never
 * drops it). Each tablet that does this writes the same revision (the content and the parent
 * are the same, and revision ids derive from them), so two of them restoring it make no conflict.
 */
@Injectable({ providedIn: 'root' })
export class PhotoRestoreService {
  private readonly localDb = inject(LocalDbService);
  private readonly server = inject(UserServerDb);
  private readonly ledger = inject(PushLedgerService);
  private readonly writer = inject(DocWriterService);

  /**
   * The conflicted defects among `docs` that live on as stored here now (the winning revision,
   * or the resolution) keep the photos one of their versions did without. Rejects when the
   * server cannot be asked (offline): the next look at the conflicts tries again.
   */
  async keepPhotosOfConflicts(docs: readonly ConflictedDoc[]): Promise<void> {
    const db = this.localDb.require();
    for (const doc of docs) {
      if (!doc.leaves.some((leaf) => leaf['type'] === 'defect')) continue;
      const current = await db.get<StoredDoc>(doc.id).catch((error: unknown) => {
        if (isNotFound(error)) return null;
        throw error;
      });
      if (current) await this.keepPhotos(current, doc.leaves);
    }
  }

  /** `kept` (a defect that lives on) keeps the photos of it that one of `leaves` did without (`photosAtRisk`). */
  async keepPhotos(
    kept: { _id: string; _attachments?: object },
    leaves: readonly { _attachments?: object }[],
  ): Promise<Map<string, RestoreOutcome>> {
    return this.restore(photosAtRisk(kept, leaves));
  }

  /**
   * Brings back each of these photo documents that is deleted, here or on the server (see the
   * class). Rejects when the server cannot be asked: whether it deleted one is not known.
   */
  async restore(ids: readonly string[]): Promise<Map<string, RestoreOutcome>> {
    const outcomes = new Map<string, RestoreOutcome>();
    if (!ids.length) return outcomes;
    const db = this.localDb.require();
    const server = this.server.require();
    for (const id of ids) {
      const outcome = await this.restoreOne(db, server, id);
      if (outcome === 'lost' || outcome === 'refused') console.warn(`A photo of a restored defect could not come back (${outcome})`, id);
      outcomes.set(id, outcome);
    }
    return outcomes;
  }

  private restoreOne(db: Database, server: Database, id: string): Promise<RestoreOutcome> {
    return restoreOverTombstone(
      db,
      server,
      this.ledger,
      id,
      (doc) => !!doc._attachments?.[PHOTO_ATTACHMENT]?.data,
      (before, tombstoneRev) => this.writer.restorePhotos([restoredPhoto(before, tombstoneRev)]),
    );
  }
}

/**
 * The photo `before` was, to write on top of `tombstoneRev`: its fields in one order whichever
 * database it came from, so that every device bringing it back writes the same revision; without
 * `partners`, which only a supervisor writes and the hub work gives it again while its defect is shared.
 */
function restoredPhoto(before: StoredDoc, tombstoneRev: string): PhotoDoc {
  const { _id, _rev: _before, _revisions, _attachments, _deleted, _conflicts, partners: _partners, ...fields } = before;
  const { content_type, data } = _attachments![PHOTO_ATTACHMENT];
  const sorted = Object.fromEntries(
    Object.keys(fields)
      .sort()
      .map((key) => [key, fields[key]]),
  );
  return { _id, _rev: tombstoneRev, ...sorted, _attachments: { [PHOTO_ATTACHMENT]: { content_type, data } } } as unknown as PhotoDoc;
}
