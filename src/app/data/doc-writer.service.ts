import { Injectable, InjectionToken, inject } from '@angular/core';
import { AuditFields, FieldbookDoc } from '../../../couch/doc-types';
import { deviceId } from '../core/device-id';
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

  /** Creates or updates a document; throws ValidationError if the rules refuse it. */
  async save<T extends FieldbookDoc>(draft: Draft<T>): Promise<T> {
    const db = this.localDb.require();
    const old = draft._rev ? await db.get<Stored>(draft._id) : null;
    const doc = this.stamp(draft, old) as T;
    this.check(doc, old);
    const result = await db.put(doc);
    return { ...doc, _rev: result.rev };
  }

  /** Deletes a document (a tombstone that replicates). */
  async remove(doc: { _id: string; _rev?: string }): Promise<void> {
    const db = this.localDb.require();
    const old = await db.get<Stored>(doc._id);
    const errors = validateDoc({ _id: old._id, _rev: old._rev, _deleted: true }, old, this.user());
    if (Object.keys(errors).length) throw new ValidationError(errors);
    await db.remove(old._id, old._rev);
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
    const user = this.user().name;
    const now = this.clock().toISOString();
    return {
      ...draft,
      createdBy: old?.createdBy ?? user,
      createdAt: old?.createdAt ?? now,
      updatedBy: user,
      updatedAt: now,
      deviceId: this.device,
    } as unknown as Stored;
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
