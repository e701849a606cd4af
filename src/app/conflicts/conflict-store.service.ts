import { Injectable, inject } from '@angular/core';
import { ConflictedDoc, findConflictedDocs, mergeConflictedDoc, rivalResolutions } from '../../../domain/conflicts/conflicted-docs';
import { MergeResult } from '../../../domain/conflicts/three-way-merge';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { UserServerDb } from '../core/user-server-db';
import { DocWriterService } from '../data/doc-writer.service';
import { ServerAncestorDb } from './server-ancestor-db';

/** One line of the inbox, from the current (winning) version of a conflicted document. */
export interface ConflictSummary {
  id: string;
  type: string;
  title: string;
  changedBy: string;
  changedAt: string;
  /** Versions, the current one and deletions included (not those a resolution ended). */
  versions: number;
  /** Versions that delete it (CouchDB leaves them out of `_conflicts`). */
  deletions: number;
}

/** A conflicted document with its leaves merged against their common ancestor. */
export interface LoadedConflict {
  doc: ConflictedDoc;
  merge: MergeResult;
  /** Where it was read from; resolutions are written through the same. */
  db: ServerAncestorDb;
  /**
   * The common version is no longer on this device and the server, which may have it, cannot be
   * reached now: the merge is two-way until it can.
   */
  ancestorUnreachable: boolean;
}

/** Reads the conflicts of the open workspace: inbox lines, and one document's versions and merge. */
@Injectable({ providedIn: 'root' })
export class ConflictStoreService {
  private readonly localDb = inject(LocalDbService);
  private readonly server = inject(UserServerDb);
  private readonly writer = inject(DocWriterService);
  private current: { local: Database; db: ServerAncestorDb } | null = null;

  /** The open workspace's database as the conflict module uses it; its writes go through the writer. */
  conflictDb(): ServerAncestorDb {
    const local = this.localDb.require();
    if (this.current?.local !== local) {
      const server = this.server.require();
      this.current = {
        local,
        db: new ServerAncestorDb(
          local,
          () => server,
          (docs) => this.writer.writeResolution(docs),
        ),
      };
    }
    return this.current.db;
  }

  /** Inbox lines for `ids`, most recently changed first; ids no longer conflicted are skipped. */
  async summaries(ids: readonly string[]): Promise<ConflictSummary[]> {
    if (!this.localDb.db() || !ids.length) return [];
    // Every leaf, as the detail page counts them: `_conflicts` leaves out deleted versions.
    const summaries = (await this.find(ids)).map(({ id, leaves }) => {
      const current = leaves.find((leaf) => !leaf._deleted) ?? leaves[0];
      const { type, title, updatedBy, updatedAt } = current;
      return {
        id,
        type: typeof type === 'string' ? type : 'document',
        title: typeof title === 'string' ? title : id,
        changedBy: typeof updatedBy === 'string' ? updatedBy : '',
        changedAt: typeof updatedAt === 'string' ? updatedAt : '',
        versions: leaves.length,
        deletions: leaves.filter((leaf) => leaf._deleted).length,
      };
    });
    return summaries.sort((a, b) => b.changedAt.localeCompare(a.changedAt));
  }

  /** The conflicted documents among `ids`, with their leaves. */
  find(ids: readonly string[]): Promise<ConflictedDoc[]> {
    return findConflictedDocs(this.conflictDb(), ids);
  }

  /** One document's versions and their merge, or null when it is not (or no longer) conflicted. */
  async load(id: string): Promise<LoadedConflict | null> {
    const db = this.conflictDb();
    const [doc] = await findConflictedDocs(db, [id]);
    if (!doc) return null;
    const merge = await mergeConflictedDoc(db, doc);
    return { doc, merge, db, ancestorUnreachable: await ancestorOutOfReach(db, merge) };
  }
}

/** Whether `merge` went two-way only because the server was out of reach (rival resolutions go two-way on purpose). */
async function ancestorOutOfReach(db: ServerAncestorDb, merge: MergeResult): Promise<boolean> {
  if (!merge.ancestorMissing || merge.ancestorRev === null || rivalResolutions(merge.leaves)) return false;
  return !(await db.serverAnswers());
}
