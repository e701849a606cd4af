import { DestroyRef, Signal, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { EMPTY, catchError, filter, from, map, startWith, switchMap } from 'rxjs';
import { isNotFound } from '../../../domain/conflicts/conflict-db';
import { jsonEqual } from '../../../domain/conflicts/json-equal';
import { migrateDoc } from '../../../domain/schema-versions';
import { ChangesFeedReader } from '../core/changes-feed-reader.service';
import { PushLedgerService, Rejection } from '../core/push-ledger.service';
import { FieldErrors, ValidationError, fieldErrors } from '../data/validation-bridge';
import { isStorageFull } from '../storage/storage-full';

export interface EditableDocOptions<T> {
  /** The document's id; undefined while it does not exist yet (a new defect). */
  id: Signal<string | undefined>;
  /** Reads the document; null (or a 404) when it does not exist (any more). */
  load: (id: string) => Promise<T | null>;
  /** Whether the user has changes not saved yet. */
  edited: () => boolean;
  /** Puts the document on screen as stored, dropping the user's changes. */
  show: (doc: T) => void;
  /** What the user has typed, as the form holds it: what is typed while a save runs is kept, not reset. */
  typed?: () => unknown;
  /** What tells two versions apart: the revision unless given. */
  version?: (doc: T) => string;
  /** What the page calls the document in messages. */
  noun: DocNoun;
  /**
   * What a new document's failed save says when what it belongs to is gone (deleted elsewhere):
   * its id is new, so a 404 can only be that.
   */
  containerGone?: string;
}

/** What a page edits, for its messages: each language words them differently (gender). */
export type DocNoun = 'inspection' | 'defect' | 'document';

const CHANGED_ELSEWHERE: Record<DocNoun, string> = {
  inspection: $localize`:@@editable.changedElsewhere.inspection:This inspection was changed elsewhere, so your changes were not saved. They are still here: reload to see the other version.`,
  defect: $localize`:@@editable.changedElsewhere.defect:This defect was changed elsewhere, so your changes were not saved. They are still here: reload to see the other version.`,
  document: $localize`:@@editable.changedElsewhere.document:This document was changed elsewhere, so your changes were not saved. They are still here: reload to see the other version.`,
};

const DELETED_ELSEWHERE: Record<DocNoun, string> = {
  inspection: $localize`:@@editable.deletedElsewhere.inspection:This inspection was deleted elsewhere, so your changes were not saved. They are still here to copy, and on the Storage page until you discard them.`,
  defect: $localize`:@@editable.deletedElsewhere.defect:This defect was deleted elsewhere, so your changes were not saved. They are still here to copy, and on the Storage page until you discard them.`,
  document: $localize`:@@editable.deletedElsewhere.document:This document was deleted elsewhere, so your changes were not saved. They are still here to copy, and on the Storage page until you discard them.`,
};

/** Something a failed save leaves for the user: a 404 on save means it was deleted meanwhile. */
function changedMeanwhile(error: unknown): boolean {
  return (error as { status?: number } | null)?.status === 409 || isNotFound(error);
}

/** Why a write failed, in words: the rules' refusals, else the error's own message. */
function failureReason(error: unknown): string {
  if (error instanceof ValidationError) return Object.values(error.errors).join('; ');
  return error instanceof Error ? error.message : String(error);
}

const STORAGE_FULL = $localize`:@@editable.storageFull:The storage of this device is full, so your changes were not saved. They are still here: free space on the Storage page (Sync, then Storage), then save again.`;

/** A save that failed other than by a refusal or a change elsewhere: what was typed is still on the form. */
export async function saveFailedMessage(error: unknown): Promise<string> {
  return (await isStorageFull(error)) ? STORAGE_FULL : failedForOtherReason(error);
}

function failedForOtherReason(error: unknown): string {
  const reason = failureReason(error);
  return $localize`:@@editable.saveFailed:Saving failed: ${reason}:reason:. Your changes are still here; try again.`;
}

function revOf(doc: object | null): string | undefined {
  return (doc as { _rev?: string } | null)?._rev;
}

/**
 * One document open for editing on a detail page: it loads the document and follows its
 * changes (shown at once while the user has changed nothing; otherwise the page says it changed
 * elsewhere, and the user's values stay), puts a refusal (the rules' on save, or the server's
 * of the revision shown) next to its field, and turns a failed save into a message, never
 * dropping what the user typed. Create it in a component's injection context.
 */
export class EditableDoc<T extends object> {
  private readonly pushLedger = inject(PushLedgerService);
  private readonly version: (doc: T) => string;
  /** The document on screen and the id it was read as (null: it does not exist). */
  private readonly shown = signal<{ id: string; doc: T | null } | null>(null);
  private readonly refusedOnSave = signal<FieldErrors | null>(null);

  readonly noun: DocNoun;
  readonly doc = computed(() => this.shown()?.doc ?? null);
  /** The document is gone (deleted, or a conflict resolved) and the user has nothing unsaved. */
  readonly missing = computed(() => this.shown()?.doc === null);
  readonly changedElsewhere = signal(false);
  /** Of a change elsewhere, a deletion: there is no other version to show or compare with. */
  readonly deletedElsewhere = signal(false);
  readonly saving = signal(false);
  /** Why the last save failed, when not because of a field. */
  readonly failure = signal<string | null>(null);
  /** The server's refusal of the revision shown, if any. */
  readonly rejection = computed<Rejection | null>(() => {
    const shown = this.shown();
    const rejection = shown && this.pushLedger.rejections()[shown.id];
    return rejection && rejection.rev === revOf(shown.doc) ? rejection : null;
  });
  /** Messages by field: the rules' refusal of the last save, else the server's of the revision shown. */
  readonly errors = computed<FieldErrors>(() => {
    const rejection = this.rejection();
    return this.refusedOnSave() ?? (rejection ? fieldErrors([rejection.reason]) : {});
  });

  constructor(private readonly options: EditableDocOptions<T>) {
    this.noun = options.noun;
    this.version = options.version ?? ((doc) => revOf(doc) ?? '');
    const changedIds$ = inject(ChangesFeedReader).changedIds$;
    toObservable(options.id)
      .pipe(
        switchMap((id) =>
          id === undefined
            ? EMPTY
            : changedIds$.pipe(
                filter((changed) => changed === id),
                startWith(id),
              ),
        ),
        // Inside the stream, a read still running when the page closes ends with it.
        switchMap((id) =>
          from(this.read(id)).pipe(
            map((doc) => ({ id, doc })),
            catchError((error: unknown) => {
              console.error(`Reading ${id} failed`, error);
              return EMPTY;
            }),
          ),
        ),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe(({ id, doc }) => this.arrived(id, doc));
  }

  /** Drops the user's changes and shows the document as stored now. */
  async reload(): Promise<void> {
    const id = this.shown()?.id ?? this.options.id();
    if (id !== undefined) this.present(id, await this.read(id));
  }

  /**
   * Runs a save of the user's changes; what it returns, if a document, is shown as stored.
   * False if it failed: the user is told why and their values stay.
   */
  async save(write: () => Promise<{ _id: string } | void>): Promise<boolean> {
    // A new document's page moves on to the created one: only an existing one keeps later typing.
    const sent = this.options.id() === undefined ? undefined : this.options.typed?.();
    return this.run(async () => {
      const saved = await write();
      this.refusedOnSave.set(null);
      if (!saved) return;
      const doc = await this.read(saved._id);
      if (sent === undefined || jsonEqual(this.options.typed!(), sent)) return this.present(saved._id, doc);
      // Typed on while it saved (the fields stay editable): those values stay, now on the saved revision.
      this.shown.set({ id: saved._id, doc: doc ?? null });
      this.changedElsewhere.set(false);
    });
  }

  /** Runs a delete; false if it failed, with `failed(reason)` said on the page (the document stays on screen). */
  async delete(remove: () => Promise<unknown>, failed: (reason: string) => string): Promise<boolean> {
    this.failure.set(null);
    try {
      await remove();
      return true;
    } catch (error) {
      console.error(`Deleting the ${this.noun} failed`, error);
      this.failure.set(failed(failureReason(error)));
      return false;
    }
  }

  /**
   * Runs a write of something the form does not hold (a photo) on the revision shown, returning
   * the new revision: it is shown and the user's unsaved values stay. `otherwise` is the message
   * for a failure that is neither a refusal nor a change elsewhere.
   */
  async saveAlongside(write: (doc: T) => Promise<string>, otherwise?: string): Promise<boolean> {
    const shown = this.shown();
    if (!shown?.doc) return false;
    return this.run(async () => {
      const rev = await write(shown.doc!);
      const doc = await this.read(shown.id);
      if (!this.options.edited()) return this.present(shown.id, doc);
      this.shown.set({ id: shown.id, doc: doc ?? shown.doc });
      // Written on the revision shown, so only a later revision is someone else's.
      this.changedElsewhere.set(revOf(doc) !== rev);
    }, otherwise);
  }

  private async run(write: () => Promise<void>, otherwise?: string): Promise<boolean> {
    this.saving.set(true);
    this.failure.set(null);
    try {
      await write();
      return true;
    } catch (error) {
      await this.failed(error, otherwise);
      return false;
    } finally {
      this.saving.set(false);
    }
  }

  private async failed(error: unknown, otherwise?: string): Promise<void> {
    if (error instanceof ValidationError) {
      this.refusedOnSave.set(error.errors);
    } else if (this.options.id() === undefined && isNotFound(error) && this.options.containerGone) {
      this.failure.set(this.options.containerGone);
    } else if (changedMeanwhile(error)) {
      this.changedElsewhere.set(true);
      this.failure.set((this.deletedElsewhere() ? DELETED_ELSEWHERE : CHANGED_ELSEWHERE)[this.noun]);
    } else {
      console.error(`Saving the ${this.noun} failed`, error);
      // Full storage before `otherwise`: a photo refused for it is no unreadable image.
      this.failure.set((await isStorageFull(error)) ? STORAGE_FULL : (otherwise ?? failedForOtherReason(error)));
    }
  }

  private arrived(id: string, doc: T | null): void {
    // A save shows what it wrote once it is done.
    if (this.saving()) return;
    const shown = this.shown();
    if (shown?.id === id && this.options.edited()) {
      // Keep what the user typed; a newer version or a deletion is theirs to reload.
      if (doc && shown.doc && (this.version(doc) === this.version(shown.doc) || onlyMigrated(doc, shown.doc))) this.shown.set({ id, doc });
      else {
        this.changedElsewhere.set(true);
        this.deletedElsewhere.set(doc === null);
      }
      return;
    }
    this.present(id, doc);
  }

  private present(id: string, doc: T | null): void {
    this.shown.set({ id, doc });
    this.changedElsewhere.set(false);
    this.deletedElsewhere.set(false);
    this.refusedOnSave.set(null);
    this.failure.set(null);
    if (doc) this.options.show(doc);
  }

  private async read(id: string): Promise<T | null> {
    try {
      return await this.options.load(id);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

/**
 * Whether `arrived` is `shown` but for its revision, its change stamp and what a schema migration
 * changes: what the tablet's background migration (saved, so stamped) or the server's (`npm run
 * migrate`, pulled) wrote is nobody's edit, and a save on top of it keeps what the user typed.
 */
function onlyMigrated(arrived: object, shown: object): boolean {
  return jsonEqual(content(arrived), content(shown));
}

// Who saved a revision, when and on which device: a migration's save stamps them too.
const CHANGE_STAMP = new Set(['_rev', 'updatedBy', 'updatedAt', 'deviceId', 'deviceName']);

function content(doc: object): object {
  return Object.fromEntries(Object.entries(migrateDoc(doc)).filter(([field]) => !CHANGE_STAMP.has(field)));
}
