import { Injectable, InjectionToken, inject } from '@angular/core';
import { BulkDocsRow } from '../../../domain/conflicts/conflict-db';
import { ResolutionWrite } from '../../../domain/conflicts/conflict-resolution';
import { AuditFields, FieldbookDoc } from '../../../domain/doc-types';
import { deviceId } from '../core/device-id';
import { DeviceNameService } from '../core/device-name.service';
import { Database } from '../core/pouchdb';
import { LocalDbService } from '../core/local-db.service';
import { Session } from '../core/session.model';
import { SessionService } from '../core/session.service';
import { ValidationError, validateDoc } from './validation-bridge';

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

/** The revision of a document a change is based on. */
export interface DocRevision {
  _id: string;
  _rev?: string;
}

/** A new document id, `<type>:<uuid v4>` as the rules require. */
export function newDocId(type: FieldbookDoc['type']): string {
  return `${type}:${crypto.randomUUID()}`;
}

/** The audit fields of a change: who made it, when, on which device (and its name, if the user gave it one). */
export type ChangeStamp = Pick<AuditFields, 'updatedBy' | 'updatedAt' | 'deviceId' | 'deviceName'>;

/**
 * The only code that writes Fieldbook documents. It sets the audit fields (createdBy,
 * createdAt, updatedBy, updatedAt, deviceId) and checks the shared document rules before
 * writing, so a save the server would refuse is refused here, next to the field.
 * Conflict resolutions (src/app/conflicts/) are built and checked by domain/conflicts and
 * written through `writeResolution`.
 */
@Injectable({ providedIn: 'root' })
export class DocWriterService {
  private readonly localDb = inject(LocalDbService);
  private readonly sessions = inject(SessionService);
  private readonly clock = inject(CLOCK);
  private readonly device = inject(DEVICE_ID);
  private readonly deviceName = inject(DeviceNameService).name;

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
   * Creates or updates several documents that change together (an inspection and its defects'
   * copy of its status): all are checked against the rules first, then written in one
   * `_bulk_docs` (one transaction in the browser's database). Throws ValidationError if the rules
   * refuse any, and the first failed row's error (a 409 if one changed meanwhile) otherwise.
   */
  async saveAll<T extends FieldbookDoc>(drafts: Draft<T>[], db: Database = this.localDb.require()): Promise<T[]> {
    const docs: Stored[] = [];
    for (const draft of drafts) {
      const old = draft._rev ? await db.get<Stored>(draft._id) : null;
      const doc = this.stamp(draft, old);
      this.check(doc, old);
      docs.push(doc);
    }
    const results = await db.bulkDocs(docs as PouchDB.Core.PutDocument<object>[]);
    const failed = results.find((result): result is PouchDB.Core.Error => 'error' in result && !!result.error);
    // A remote database answers rows CouchDB's way, `{error: 'conflict', reason}`, without a status.
    if (failed) {
      const status = failed.status ?? { conflict: 409, forbidden: 403, unauthorized: 401 }[String(failed.error)];
      throw Object.assign(new Error(failed.reason ?? failed.message ?? String(failed.error)), { status, error: failed.error });
    }
    return docs.map((doc, i) => ({ ...doc, _rev: (results[i] as PouchDB.Core.Response).rev }) as unknown as T);
  }

  /**
   * Deletes a document: a tombstone that replicates, saying who deleted it, when and on which
   * device (for the conflict inbox, should another device have edited it meanwhile).
   */
  async remove(doc: DocRevision): Promise<void> {
    const db = this.localDb.require();
    const old = await db.get<Stored>(doc._id);
    const tombstone = { _id: old._id, _rev: old._rev, _deleted: true, ...this.changeStamp() };
    const errors = validateDoc(tombstone, old, this.author());
    if (Object.keys(errors).length) throw new ValidationError(errors);
    await db.put(tombstone);
  }

  /**
   * Adds attachments (photos) to the revision `doc` names, as one audited revision, and returns
   * the new revision; a 409 if the document has changed since.
   */
  attach(doc: DocRevision, attachments: Record<string, PhotoAttachment>): Promise<string> {
    return this.updateAttachments(doc, (current) => ({ ...current, ...attachments }));
  }

  /** Removes attachments from the revision `doc` names, as `attach` adds them. */
  detach(doc: DocRevision, names: string[]): Promise<string> {
    return this.updateAttachments(doc, (current) => {
      const kept = { ...current };
      for (const name of names) delete kept[name];
      return kept;
    });
  }

  /**
   * Writes the documents of a conflict resolution into the local database: the merged result,
   * already stamped with `stampChange`, and tombstones. domain/conflicts checks them against
   * the shared rules first, each against the leaf it replaces, which only it knows.
   */
  writeResolution(docs: ResolutionWrite[]): Promise<BulkDocsRow[]> {
    return this.localDb.require().bulkDocs(docs as PouchDB.Core.PutDocument<object>[]) as Promise<BulkDocsRow[]>;
  }

  /** `doc` as changed now by the logged-in user on this device. */
  stampChange<T extends object>(doc: T): T & ChangeStamp {
    return { ...withoutDeviceName(doc), ...this.changeStamp() } as T & ChangeStamp;
  }

  /** The logged-in user, who every write is made as. */
  author(): Session {
    const session = this.sessions.session();
    if (!session) throw new Error('Not logged in');
    return session;
  }

  private async updateAttachments(
    base: DocRevision,
    change: (current: PouchDB.Core.Attachments) => PouchDB.Core.Attachments,
  ): Promise<string> {
    const db = this.localDb.require();
    const old = await db.get<Stored>(base._id);
    const { _attachments, ...rest } = old;
    const attachments = change(_attachments ?? {});
    // On the revision the caller saw: if another has come since, PouchDB answers 409.
    const doc = this.stamp({ ...rest, _rev: base._rev, ...(Object.keys(attachments).length ? { _attachments: attachments } : {}) }, old);
    this.check(doc, old);
    return (await db.put(doc)).rev;
  }

  private stamp<T extends FieldbookDoc>(draft: Draft<T> | Stored, old: Stored | null): Stored {
    const change = this.changeStamp();
    return {
      ...withoutDeviceName(draft),
      createdBy: old?.createdBy ?? change.updatedBy,
      createdAt: old?.createdAt ?? change.updatedAt,
      ...change,
    } as unknown as Stored;
  }

  private changeStamp(): ChangeStamp {
    const name = this.deviceName();
    return {
      updatedBy: this.author().name,
      updatedAt: this.clock().toISOString(),
      deviceId: this.device,
      ...(name ? { deviceName: name } : {}),
    };
  }

  private check(doc: Stored, old: Stored | null): void {
    const errors = validateDoc(doc, old, this.author());
    if (Object.keys(errors).length) throw new ValidationError(errors);
  }
}

/** `doc` without the name of the device that last changed it: a change made here names this device, or none. */
function withoutDeviceName<T extends object>(doc: T): T {
  const { deviceName: _previous, ...rest } = doc as T & { deviceName?: string };
  return rest as T;
}
