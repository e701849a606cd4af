import { Injectable, inject } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { auditIdRange } from '../../../domain/audit-entry';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { LOCAL_FIND_LIMIT } from '../data/find-limit';
import { DraftStore } from '../drafts/draft-store.service';
import { leavesOf, purgeDoc } from '../data/purge-doc';
import { photoIdsOf } from './photo-ids';

/**
 * A purge given up because a record changed meanwhile: an edit saved here, or a newer revision
 * of the inspection pulled. `records` are the inspection's (as `found` heard them); what of them
 * left already (synced, so on the server) is for the caller to bring back.
 */
export class PurgeStopped extends Error {
  constructor(
    readonly inspectionId: string,
    readonly records: readonly string[],
  ) {
    super(`${inspectionId} changed while it was being taken off this device`);
  }
}

/**
 * Takes an inspection off this device without deleting it anywhere: PouchDB's local purge
 * removes every revision of it, its defects (with their photos) and the audit entries of each,
 * as if they had never been pulled. Nothing replicates: a purge writes no revision, and the
 * pull's checkpoint is already past them, so they come back only if they change on the server.
 * Purges make no change on the changes feed, so `purged$` tells the lists.
 */
@Injectable({ providedIn: 'root' })
export class LocalPurgeService {
  private readonly ledger = inject(PushLedgerService);
  private readonly drafts = inject(DraftStore);
  private readonly purged = new Subject<string>();

  /** The id of each record purged here. */
  readonly purged$: Observable<string> = this.purged.asObservable();

  /**
   * Purges the inspection (the revision `judged` free to go) and everything that belongs to
   * it; the inspection itself last, so a purge cut short (a reload) leaves it in place to be
   * found and finished by the next run. `found` hears the ids of the records (its defects',
   * then its own) and is awaited before any is purged: a revision of one the pull writes
   * meanwhile must be known as theirs. Returns those ids. Each record is looked at again just
   * before its purge: one saved here since (the fields stay editable), a draft of the inspection
   * or of a defect of it kept since (typing there, paused or not), a photo of it not pushed or
   * refused, or an inspection changed since it was judged, stops it all (PurgeStopped); so does a
   * revision written between that look and the purge.
   */
  async purgeInspection(
    db: Database,
    judged: { _id: string; _rev: string },
    found: (recordIds: string[]) => void | Promise<void> = () => undefined,
  ): Promise<string[]> {
    const inspectionId = judged._id;
    const { docs } = await db.find({
      selector: { inspectionId },
      fields: ['_id'],
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    const defectIds = (docs as { _id: string }[]).map((doc) => doc._id).filter((id) => id.startsWith('defect:'));
    const records = [...defectIds, inspectionId];
    await found(records);
    const stopIfChanged = async (ids: readonly string[]) => {
      const inspection = await db.get(inspectionId).catch(() => null);
      if (inspection?._rev !== judged._rev || (await this.ledger.holdsUnsynced(db, ids)) || (await this.drafts.typedOn(inspectionId, db)))
        throw new PurgeStopped(inspectionId, records);
    };
    await stopIfChanged(records);
    for (const id of records) {
      // A record's entries and photos first, the record last. Their leaves are read before the
      // last look, and only those purged: a revision written after it (a save here, a pull)
      // stays, and stops it all. An entry written by such a save is not among these ids.
      const { rows } = await db.allDocs(auditIdRange(id));
      const ids = [...rows.map((row) => row.id), ...(await photoIdsOf(db, id)), id];
      const leaves = await Promise.all(ids.map((doc) => leavesOf(db, doc)));
      await stopIfChanged(ids);
      for (const [i, doc] of ids.entries()) {
        if (!(await purgeDoc(db, doc, leaves[i]))) throw new PurgeStopped(inspectionId, records);
      }
      this.purged.next(id);
    }
    return records;
  }

  /**
   * The way back, for an inspection that returns (changed on the server, or given back): its
   * defects and the audit entries of both, which did not change and so are not in the pull,
   * fetched from `server` with their revisions and written as replication writes them, noted
   * in the push ledger as pulled.
   */
  async restoreRecords(db: Database, server: Database, inspectionId: string): Promise<void> {
    const found = await server.find({
      selector: { inspectionId, type: 'defect' },
      fields: ['_id'],
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    const defectIds = (found.docs as { _id: string }[]).map((doc) => doc._id);
    const audits = await Promise.all([inspectionId, ...defectIds].map((id) => server.allDocs(auditIdRange(id))));
    const ids = [...defectIds, ...audits.flatMap(({ rows }) => rows.map((row) => row.id))].map((id) => ({ id }));
    if (!ids.length) return;
    const { results } = await server.bulkGet({ docs: ids, revs: true, attachments: true });
    const docs = results.flatMap((result) => result.docs.flatMap((doc) => ('ok' in doc ? [doc.ok as { _id: string; _rev: string }] : [])));
    this.ledger.pulled(docs);
    await db.bulkDocs(docs, { new_edits: false });
  }
}
