import { DestroyRef, Signal, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { FormGroup } from '@angular/forms';
import { DOCUMENT } from '@angular/common';
import { EMPTY, Observable, debounceTime, filter, first, from, fromEvent, map, merge, of, switchMap, tap } from 'rxjs';
import { jsonEqual } from '../../../domain/conflicts/json-equal';
import { MergeChoices } from '../conflicts/merge-choices';
import { LocalDbService } from '../core/local-db.service';
import { EditableDoc } from '../shared/editable-doc';
import { DraftEntry, DraftOwner, DraftPhoto, DraftStore, FormValues } from './draft-store.service';
import { DraftVersions, changedSinceBase, mergeDraft, mergedValues } from './draft-merge';

/** How long typing pauses before the draft is written; leaving the page or the tab writes it at once. */
export const DRAFT_WRITE_DELAY_MS = 300;

type StoredDoc = { _id: string; _rev?: string };

/** A form on a document: the page's EditableDoc and how a version shows on the form. */
export interface DraftOfDoc<T extends StoredDoc> {
  /** The document's id; undefined while the form creates it (a new defect). */
  id: Signal<string | undefined>;
  editable: EditableDoc<T>;
  valuesOf: (doc: T) => FormValues;
}

export interface FormDraftOptions<T extends StoredDoc> {
  /** The form's key in the draft store: the document's id, or a name for a form creating one. */
  key: Signal<string>;
  /** The inspection the form belongs to ('' for a new inspection). */
  inspectionId: () => string;
  form: FormGroup;
  /** Puts values on the form as the user's edits (rows rebuilt), leaving it dirty. */
  apply: (values: FormValues) => void;
  /** Set for a form on a document; without one (or its id), a discard restarts from the first values. */
  doc?: DraftOfDoc<T>;
  /** Set for a form creating a document with photos (a new defect): they are kept with the draft. */
  photos?: DraftPhotoHolder;
}

/** The form's photos, for a form whose draft keeps them (keepPhoto). */
export interface DraftPhotoHolder {
  /** Shows again the photos of the draft restored on opening, in the order they were taken. */
  restore: (photos: DraftPhoto[]) => void;
  /** Forgets the photos shown: the draft was discarded, and they with it. */
  clear: () => void;
}

/** A comparison of the typed values with a newer stored version, open until the user decides. */
interface Comparison {
  base: FormValues | null;
  mine: FormValues;
  /** When the typed values were last kept. */
  savedAt: string;
  /** The save to run once decided, when a save met the newer version. */
  retry: (() => Promise<boolean>) | null;
}

/**
 * What an inspector types on one form, kept on this device as they type (DraftStore): written
 * a moment after typing pauses and at once when the page or the tab goes away (a killed tab or a
 * dead battery keeps it), restored when the form opens again, dropped on save or discard. A form
 * creating a document with photos keeps them too, each as it is picked (keepPhoto).
 *
 * On an existing document, typed values never silently replace a newer stored version or give
 * way to it: a draft typed on an older revision, or a save meeting a newer one, opens the merge
 * (base: the version typing began on, mine: the typed values, theirs: the version stored now)
 * until the user keeps either or chooses per field. Create it in a component's injection context.
 */
export class FormDraft<T extends StoredDoc = StoredDoc> {
  private readonly store = inject(DraftStore);
  /**
   * The database the form opened on, its user's: the form's drafts go there or nowhere (a write
   * due after another user logged in, in another tab, would land in theirs).
   */
  private readonly localDb = inject(LocalDbService);
  private readonly db = this.localDb.db();
  /** The new form's values before any typing: what a discard returns to. */
  private readonly initial: FormValues;
  /** Typed values not written yet. */
  private pending: { key: string; draft: DraftEntry } | null = null;
  /** This form, as its drafts name it: the same form in another tab is another writer. */
  private readonly writer = crypto.randomUUID();
  /** Writers of the draft this form shows (its own, the one it restored: '' for a draft that names none). */
  private readonly shownWriters = new Set<string>([this.writer]);
  /** The photos this form kept with its draft or restored from it. */
  private readonly keptPhotos = new Set<string>();
  private readonly comparison = signal<Comparison | null>(null);

  /** Typing noted and not written yet. */
  private readonly typing = signal(false);
  /** The form's page is still there. */
  private open = true;

  /** When the draft restored on opening was typed (ISO), until saved or discarded. */
  readonly restoredAt = signal<string | null>(null);
  /** Whether the database the form opened on is still the open one (no logout, no other user since). */
  readonly onOpenDatabase = () => this.db !== null && this.db === this.localDb.db();
  /** A draft of this form is kept on the device (or about to be). */
  readonly held = computed(() => this.store.drafts()[this.options.key()] !== undefined || this.typing());
  /** The merge of the typed values and the stored version, while the user decides. */
  readonly merging = new MergeChoices(() => {
    const versions = this.versions();
    return versions && mergeDraft(versions);
  });
  readonly comparing = computed(() => this.comparison() !== null);
  /** The merge was opened by a save: deciding saves. */
  readonly savesOnDecision = computed(() => !!this.comparison()?.retry);
  readonly comparedSince = computed(() => this.comparison()?.savedAt ?? null);
  /** The stored version being compared, for who saved it when. */
  readonly theirs = computed(() => (this.comparison() ? (this.options.doc?.editable.doc() ?? null) : null));

  /** Theirs follows the stored version while the user decides (it may change again). */
  private readonly versions = computed<DraftVersions | null>(() => {
    const comparison = this.comparison();
    const theirs = this.theirs();
    return comparison && theirs && { base: comparison.base, mine: comparison.mine, theirs: this.options.doc!.valuesOf(theirs) };
  });

  constructor(private readonly options: FormDraftOptions<T>) {
    this.initial = options.form.getRawValue();
    const document = inject(DOCUMENT);
    options.form.valueChanges
      .pipe(
        filter(() => options.form.dirty && !this.comparing()),
        tap(() => this.note()),
        debounceTime(DRAFT_WRITE_DELAY_MS),
        takeUntilDestroyed(),
      )
      .subscribe(() => void this.flush());
    // A tab put away may never come back: what was typed goes to storage now.
    merge(fromEvent(document.defaultView!, 'pagehide'), fromEvent(document, 'visibilitychange').pipe(filter(() => document.hidden)))
      .pipe(takeUntilDestroyed())
      .subscribe(() => void this.flush());
    // Another tab's save of the same form drops only its own draft, which may have been written over
    // this one's typing: kept again, on the version it was typed on.
    if (options.doc) {
      toObservable(options.doc.editable.changedElsewhere)
        .pipe(
          filter((changed) => changed && options.form.dirty && !this.comparing()),
          takeUntilDestroyed(),
        )
        .subscribe(() => {
          this.note();
          void this.flush();
        });
    }
    // Logout writes it at once, to count it among the drafts the user is told of.
    const typingHeld = this.store.holdTyping(() => this.flush());
    inject(DestroyRef).onDestroy(() => {
      this.open = false;
      typingHeld();
      void this.flush();
    });
    this.restoreOnOpen();
  }

  /**
   * Runs the page's save: on success the draft is dropped; meeting a newer version (a change
   * elsewhere, or a 409) opens the merge, and the save runs again once the user decides.
   */
  async save(write: () => Promise<boolean>): Promise<boolean> {
    const editable = this.options.doc?.editable;
    // Deleted elsewhere, there is nothing to compare with: the save fails saying so, the typing stays.
    const comparable = () => !!editable?.changedElsewhere() && !!editable.doc() && !editable.deletedElsewhere();
    if (comparable()) {
      await this.compare(write);
      return false;
    }
    const key = this.options.key();
    if (!(await write())) {
      if (comparable()) await this.compare(write);
      return false;
    }
    if (editable && this.options.form.dirty) {
      // Typed on while it saved (EditableDoc kept those values): kept again, typed on the saved revision.
      this.restoredAt.set(null);
      this.note();
      await this.flush();
    } else this.drop(key);
    return true;
  }

  /** Shows the typed values beside the newer stored version (the page says it changed elsewhere). */
  compareLater(): Promise<void> {
    return this.compare(null);
  }

  /** Keeps the typed values on top of the stored version. */
  keepMine(): Promise<void> {
    return this.decide(this.comparison()!.mine);
  }

  /** Takes the merge with the user's choices; conflicts not chosen keep the stored value. */
  keepMerged(): Promise<void> {
    return this.decide(mergedValues(this.merging.preview()!));
  }

  /** Drops the typed values and shows the stored version. */
  async keepTheirs(): Promise<void> {
    this.comparison.set(null);
    this.merging.reset();
    this.drop(this.options.key());
  }

  /** Drops the draft, its photos with it, and shows the stored version (or the new form's first values). */
  async discard(): Promise<void> {
    this.drop(this.options.key());
    const doc = this.options.doc;
    if (doc?.id()) await doc.editable.reload();
    else {
      this.options.form.reset(this.initial);
      this.options.photos?.clear();
    }
  }

  /** Writes what was typed now, without waiting for typing to pause. */
  async flush(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    this.typing.set(false);
    try {
      if (this.unchanged(pending.draft)) await this.store.untyped(pending.key, pending.draft, this.owner(), this.db);
      else await this.store.put(pending.key, pending.draft, this.db);
    } catch (error) {
      console.error('Keeping the draft failed', error);
    }
  }

  /**
   * Keeps a photo picked on the form with the draft, what was typed written first. Rejects with
   * DraftPhotoNotKept when it does not fit: the photo is not kept, what was typed still is.
   */
  async keepPhoto(photo: DraftPhoto): Promise<void> {
    await this.flush();
    await this.store.keepPhoto(this.options.key(), photo, this.typed(), this.db);
    this.keptPhotos.add(photo.stem);
  }

  /** Drops photos removed from the form from the draft; a draft then keeping nothing goes. */
  dropPhotos(stems: readonly string[]): Promise<void> {
    for (const stem of stems) this.keptPhotos.delete(stem);
    return this.store.dropPhotos(this.options.key(), stems, (draft) => this.unchanged(draft), this.db);
  }

  /** The values typed, noted to be written (typed back to what is stored, the draft goes instead). */
  private note(): void {
    this.pending = { key: this.options.key(), draft: this.typed() };
    this.typing.set(true);
  }

  /** The form's values now, as a draft. */
  private typed(): DraftEntry {
    const shown = this.options.doc?.editable.doc() ?? null;
    const draft: DraftEntry = {
      values: this.options.form.getRawValue(),
      inspectionId: this.options.inspectionId(),
      savedAt: new Date().toISOString(),
      writer: this.writer,
    };
    if (shown) {
      draft.baseRev = shown._rev;
      draft.base = this.options.doc!.valuesOf(shown);
    }
    return draft;
  }

  private unchanged(draft: DraftEntry): boolean {
    return jsonEqual(draft.values, draft.base ?? this.initial);
  }

  private drop(key: string): void {
    this.pending = null;
    this.typing.set(false);
    this.restoredAt.set(null);
    const owner = this.owner();
    this.keptPhotos.clear();
    this.store.discard(key, this.db, owner).catch((error: unknown) => console.error('Dropping the draft failed', error));
  }

  private owner(): DraftOwner {
    return { writers: this.shownWriters, photos: [...this.keptPhotos] };
  }

  /**
   * Keeps the typed values (they are all that remains of them once the stored version is shown),
   * shows the stored version and opens the merge.
   */
  private async compare(retry: (() => Promise<boolean>) | null): Promise<void> {
    const editable = this.options.doc!.editable;
    const typedOn = editable.doc();
    if (!typedOn) return;
    this.note();
    const savedAt = this.pending!.draft.savedAt;
    const comparison: Comparison = { base: this.options.doc!.valuesOf(typedOn), mine: this.options.form.getRawValue(), savedAt, retry };
    await this.flush();
    await editable.reload();
    this.merging.reset();
    this.comparison.set(comparison);
  }

  private async decide(values: FormValues): Promise<void> {
    const retry = this.comparison()?.retry;
    this.comparison.set(null);
    this.merging.reset();
    this.options.apply(values);
    // Now typed on the stored version: a later comparison starts from it.
    this.note();
    await this.flush();
    if (retry) await this.save(retry);
  }

  /** Puts a kept draft back once the form shows what it is typed on. */
  private restoreOnOpen(): void {
    const doc = this.options.doc;
    const shownDoc$: Observable<T | null> = doc ? toObservable(doc.editable.doc) : of(null);
    toObservable(this.options.key)
      .pipe(
        switchMap((key) =>
          from(this.store.get(key, this.db)).pipe(
            switchMap((draft) => {
              if (!draft) return EMPTY;
              const id = doc?.id();
              if (id === undefined) return of({ draft, doc: null });
              return shownDoc$.pipe(
                filter((shown) => shown?._id === id),
                first(),
                map((shown) => ({ draft, doc: shown })),
              );
            }),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(({ draft, doc }) => this.restore(draft, doc));
  }

  private restore(draft: DraftEntry, doc: T | null): void {
    this.shownWriters.add(draft.writer ?? '');
    const valuesOf = this.options.doc?.valuesOf;
    if (
      doc &&
      valuesOf &&
      draft.baseRev !== doc._rev &&
      changedSinceBase({ base: draft.base ?? null, mine: draft.values, theirs: valuesOf(doc) })
    ) {
      // Typed on a version since changed here: the user decides, nothing is overwritten.
      this.comparison.set({ base: draft.base ?? null, mine: draft.values, savedAt: draft.savedAt, retry: null });
      return;
    }
    this.options.apply(draft.values);
    this.restoredAt.set(draft.savedAt);
    if (!doc && this.options.photos && draft.photos?.length) {
      const holder = this.options.photos;
      for (const { stem } of draft.photos) this.keptPhotos.add(stem);
      this.store.readPhotos(draft, this.db).then(
        (photos) => this.open && holder.restore(photos),
        (error: unknown) => console.error('Reading the photos of the draft failed', error),
      );
    }
    // Typed on an older revision that changed nothing on the form: now based on this one.
    if (doc && draft.baseRev !== doc._rev) {
      this.note();
      void this.flush();
    }
  }
}
