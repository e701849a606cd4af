import { Injectable, InjectionToken, inject } from '@angular/core';
import { applyResolution } from '../../../domain/conflicts/apply-resolution';
import { AutoMergeSettings, AutoResolveOutcome, MergedDoc, autoResolveConflicts } from '../../../domain/conflicts/auto-resolve';
import { ConflictDb, revisionFetcher } from '../../../domain/conflicts/conflict-db';
import { MergeStamp, Resolution, resolutionBulkDocs } from '../../../domain/conflicts/conflict-resolution';
import { ConflictedDoc } from '../../../domain/conflicts/conflicted-docs';
import { AuditFields, FieldbookDoc } from '../../../domain/doc-types';
import { deviceId } from '../core/device-id';
import { Database } from '../core/pouchdb';
import { LocalDbService } from '../core/local-db.service';
import { Session } from '../core/session.model';
import { SessionService } from '../core/session.service';
import { ValidationError, fieldErrors, validateDoc } from './validation-bridge';

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

type Stored = FieldbookDoc & { _attachments?: PouchDB.Core.Attachments };

/** A new document id, `<type>:<uuid v4>` as the rules require. */
export function newDocId(type: FieldbookDoc['type']): string {
  return `${type}:${crypto.randomUUID()}`;
}

/**
 * The only code that writes Fieldbook documents. It sets the audit fields (createdBy,
 * createdAt, updatedBy, updatedAt, deviceId) and checks the shared document rules before
 * writing, so a save the server would refuse is refused here, next to the field.
 */
@Injectable({ providedIn: 'root' })
export class DocWriterService {
  private readonly localDb = inject(LocalDbService);
  private readonly sessions = inject(SessionService);
  private readonly clock = inject(CLOCK);
  private readonly device = inject(DEVICE_ID);

  /**
   * Creates or updates a document, in the local database unless `db` is given (a supervisor
   * writes straight into the hub); throws ValidationError if the rules refuse it.
   */
  async save<T extends FieldbookDoc>(draft: Draft<T>, db: Database = this.localDb.require()): Promise<T> {
    const old = draft._rev ? await db.get<Stored>(draft._id) : null;
    const doc = this.stamp(draft, old) as T;
    this.check(doc, old);
    const result = await db.put(doc);
    return { ...doc, _rev: result.rev };
  }

  /**
   * Deletes a document: a tombstone that replicates, saying who deleted it, when and on which
   * device (for the conflict inbox, should another device have edited it meanwhile).
   */
  async remove(doc: { _id: string; _rev?: string }): Promise<void> {
    const db = this.localDb.require();
    const old = await db.get<Stored>(doc._id);
    const tombstone = { _id: old._id, _rev: old._rev, _deleted: true, ...this.changeStamp() };
    const errors = validateDoc(tombstone, old, this.user());
    if (Object.keys(errors).length) throw new ValidationError(errors);
    await db.put(tombstone);
  }

  /** Adds attachments to a document (photos), as one audited revision. */
  async attach(docId: string, attachments: Record<string, PhotoAttachment>): Promise<void> {
    await this.updateAttachments(docId, (current) => ({ ...current, ...attachments }));
  }

  /** Removes attachments from a document, as one audited revision. */
  async detach(docId: string, names: string[]): Promise<void> {
    await this.updateAttachments(docId, (current) => {
      const kept = { ...current };
      for (const name of names) delete kept[name];
      return kept;
    });
  }

  /** Who merges and when, for a conflict resolution the logged-in user makes now. */
  mergeStamp(): MergeStamp {
    return { mergedBy: this.user().name, mergedAt: this.clock().toISOString() };
  }

  /**
   * Writes a conflict resolution (`resolveMerge` or `keepLeaf` with `mergeStamp()`) through `db`
   * as the logged-in user: the result, stamped as this user's change, on the winning revision,
   * and tombstones on the other leaves. Throws ValidationError if the rules refuse it, and an
   * Error if the write fails (the document changed meanwhile).
   */
  async resolveConflict(db: ConflictDb, resolution: Resolution): Promise<void> {
    const [winner] = resolution.leaves;
    const audited = resolution.doc ? { ...resolution, doc: this.stampMerged(resolution.doc) } : resolution;
    const writes = await resolutionBulkDocs(audited, revisionFetcher(db, winner._id));
    const applied = await applyResolution(db, writes, resolution.leaves, this.user());
    if (applied.status === 'invalid') throw new ValidationError(fieldErrors(applied.violations.map(({ violation }) => violation)));
    if (applied.status === 'write-failed') throw new Error(applied.errors.join('; '));
  }

  /** Merges, as the logged-in user, the conflicts whose versions changed different things. */
  autoResolveConflicts(db: ConflictDb, docs: readonly ConflictedDoc[], autoMerge: AutoMergeSettings): Promise<AutoResolveOutcome[]> {
    const user = this.user();
    return autoResolveConflicts(db, docs, {
      mergedBy: user.name,
      userCtx: user,
      autoMerge,
      now: this.clock,
      audit: (merged) => this.stampMerged(merged),
    });
  }

  private async updateAttachments(
    docId: string,
    change: (current: PouchDB.Core.Attachments) => PouchDB.Core.Attachments,
  ): Promise<void> {
    const db = this.localDb.require();
    const old = await db.get<Stored>(docId);
    const { _attachments, ...rest } = old;
    const attachments = change(_attachments ?? {});
    const doc = this.stamp(Object.keys(attachments).length ? { ...rest, _attachments: attachments } : rest, old);
    this.check(doc, old);
    await db.put(doc);
  }

  private stamp<T extends FieldbookDoc>(draft: Draft<T> | Stored, old: Stored | null): Stored {
    const change = this.changeStamp();
    return {
      ...draft,
      createdBy: old?.createdBy ?? change.updatedBy,
      createdAt: old?.createdAt ?? change.updatedAt,
      ...change,
    } as unknown as Stored;
  }

  /** A merge is the writer's change to the document; who created it stays as merged. */
  private stampMerged(merged: MergedDoc): MergedDoc {
    return { ...merged, ...this.changeStamp() };
  }

  private changeStamp(): Pick<AuditFields, 'updatedBy' | 'updatedAt' | 'deviceId'> {
    return { updatedBy: this.user().name, updatedAt: this.clock().toISOString(), deviceId: this.device };
  }

  private check(doc: Stored, old: Stored | null): void {
    const errors = validateDoc(doc, old, this.user());
    if (Object.keys(errors).length) throw new ValidationError(errors);
  }

  private user(): Session {
    const session = this.sessions.session();
    if (!session) throw new Error('Not logged in');
    return session;
  }
}
