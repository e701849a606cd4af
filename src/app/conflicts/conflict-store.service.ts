import { Injectable, inject } from '@angular/core';
import { ConflictedDoc, findConflictedDocs, mergeConflictedDoc } from '../../../domain/conflicts/conflicted-docs';
import { MergeResult } from '../../../domain/conflicts/three-way-merge';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { SessionService } from '../core/session.service';
import { DocWriterService } from '../data/doc-writer.service';
import { ServerAncestorDb } from './server-ancestor-db';

/** One line of the inbox, from the current (winning) version of a conflicted document. */
export interface ConflictSummary {
  id: string;
  type: string;
  title: string;
  changedBy: string;
  changedAt: string;
  /** Live versions, the current one included. */
  versions: number;
  /** The other versions are deletions (CouchDB leaves them out of `_conflicts`). */
  hasDeletion: boolean;
}

/** A conflicted document with its leaves merged against their common ancestor. */
export interface LoadedConflict {
  doc: ConflictedDoc;
  merge: MergeResult;
  /** Where it was read from; resolutions are written through the same. */
  db: ServerAncestorDb;
}

type SummaryFields = { type?: unknown; title?: unknown; updatedBy?: unknown; updatedAt?: unknown; _conflicts?: string[] };

/** Reads the conflicts of the open workspace: inbox lines, and one document's versions and merge. */
@Injectable({ providedIn: 'root' })
export class ConflictStoreService {
  private readonly localDb = inject(LocalDbService);
  private readonly sessions = inject(SessionService);
  private readonly remoteFactory = inject(REMOTE_DB_FACTORY);
  private readonly writer = inject(DocWriterService);
  private current: { local: Database; db: ServerAncestorDb } | null = null;

  /** The open workspace's database as the conflict module uses it; its writes go through the writer. */
  conflictDb(): ServerAncestorDb {
    const local = this.localDb.require();
    if (this.current?.local !== local) {
      const userDb = this.sessions.session()?.db;
      if (!userDb) throw new Error('Not logged in');
      this.current = {
        local,
        db: new ServerAncestorDb(
          local,
          () => this.remoteFactory(userDb),
          (docs) => this.writer.writeResolution(docs),
        ),
      };
    }
    return this.current.db;
  }

  /** Inbox lines for `ids`, most recently changed first; ids no longer stored are skipped. */
  async summaries(ids: readonly string[]): Promise<ConflictSummary[]> {
    const db = this.localDb.db();
    if (!db || !ids.length) return [];
    const { rows } = await db.allDocs<SummaryFields>({ keys: [...ids], include_docs: true, conflicts: true });
    const summaries = rows.flatMap((row) => {
      const doc = 'doc' in row ? row.doc : null;
      if (!doc) return [];
      const others = doc._conflicts?.length ?? 0;
      return [
        {
          id: doc._id,
          type: typeof doc.type === 'string' ? doc.type : 'document',
          title: typeof doc.title === 'string' ? doc.title : doc._id,
          changedBy: typeof doc.updatedBy === 'string' ? doc.updatedBy : '',
          changedAt: typeof doc.updatedAt === 'string' ? doc.updatedAt : '',
          versions: 1 + others,
          hasDeletion: others === 0,
        },
      ];
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
    return doc ? { doc, merge: await mergeConflictedDoc(db, doc), db } : null;
  }
}
