import { Injectable, InjectionToken, computed, inject } from '@angular/core';
import { LocalDbService } from '../core/local-db.service';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { Entries, MirroredLocalRecordMap, withoutKeys } from '../core/local-record-map';
import { Database } from '../core/pouchdb';
import { blobToBase64 } from '../shared/blob-base64';
import { jsonEqual } from '../../../domain/conflicts/json-equal';

/** A form's values as the form holds them (`getRawValue()`). */
export type FormValues = Record<string, unknown>;

/** A photo picked on a form creating a document (a new defect): the image, its thumbnail, and the name they share. */
export interface DraftPhoto {
  stem: string;
  photo: Blob;
  thumb: Blob;
}

/** A photo a draft keeps; its bytes are a `_local` document of their own (DraftStore). */
export interface KeptPhotoRef {
  stem: string;
  /** Characters stored (base64): what counts against DRAFT_PHOTO_BUDGET. */
  size: number;
}

/** What an inspector typed on one form and has not saved yet. */
export interface DraftEntry {
  /** The typed values. */
  values: FormValues;
  /** The revision they were typed on; absent for a document not created yet. */
  baseRev?: string;
  /** That revision's values as the form showed them: the common version of a merge. */
  base?: FormValues;
  /** The inspection the form belongs to, for the list's marker. */
  inspectionId: string;
  /** When it was last typed (ISO). */
  savedAt: string;
  /** Photos picked for the document not created yet, in the order they were taken. */
  photos?: KeptPhotoRef[];
  /** The form that typed it last (FormDraft.writer): one open page, in one tab. */
  writer?: string;
}

/**
 * What of a draft one form may drop: the whole entry while it is what that form typed or restored
 * (`writers`), else only the photos that form kept. The same form open in another tab may have
 * typed on since; a save or discard here must not take that typing with it.
 */
export interface DraftOwner {
  writers: ReadonlySet<string>;
  photos: readonly string[];
}

/**
 * Characters of photos all drafts on this device keep together (base64: about 24 MB of images,
 * 50 to 100 photos at PHOTO_MAX_SIDE). A photo past it stays on its form, not kept.
 */
export const DRAFT_PHOTO_BUDGET = new InjectionToken<number>('DRAFT_PHOTO_BUDGET', { factory: () => 32 * 1024 * 1024 });

/** Why a photo is not kept with its draft: the drafts' photos are at their budget, or storage refused the write (full). */
export class DraftPhotoNotKept extends Error {
  constructor(
    readonly reason: 'full' | 'storage',
    options?: { cause?: unknown },
  ) {
    super(reason === 'full' ? 'the photos of drafts are at their budget' : 'storing the photo failed', options);
    this.name = 'DraftPhotoNotKept';
  }
}

/** The bytes of a kept photo, `LOCAL_DOC_IDS.draftPhotoPrefix + stem`. */
interface DraftPhotoDoc {
  _id: string;
  _rev?: string;
  photo: EncodedImage;
  thumb: EncodedImage;
}

interface EncodedImage {
  content_type: string;
  /** base64 */
  data: string;
}

/**
 * Unsaved form values, kept on this device as they are typed: one `_local` document in the
 * user's database (never replicated, gone with the database at logout), by form key (a
 * document's id, or `new-inspection`, `new-defect:<inspection id>`). Every write reads the
 * stored document first, so tabs typing in different forms keep each other's drafts.
 *
 * A new defect's draft also keeps the photos picked for it (inspectors take them first). Their
 * bytes are base64 in one `_local` document per photo of the same database, listed by the
 * draft: `_local` documents never replicate and go with the user's database (logout deletes it;
 * another user has a database of their own), which is what a draft wants; PouchDB keeps no
 * attachments on them, hence base64, a third larger, within DRAFT_PHOTO_BUDGET. Not in the
 * drafts document itself: that one is written again at every pause in typing and stays small.
 * A draft lists a photo before its bytes are written and stops listing it after they are
 * deleted: a tab closed in between leaves a draft listing a photo that is missing (a restore
 * skips it), never bytes no draft lists, which nothing could find again to count or delete
 * (PouchDB lists no `_local` documents).
 *
 * A form's calls name the database it was opened on (`db`, the open one unless given): typing
 * whose write comes after that database closed (logout, another user logged in in another tab)
 * keeps nothing, and never lands in the next user's drafts.
 */
@Injectable({ providedIn: 'root' })
export class DraftStore {
  private readonly localDb = inject(LocalDbService);
  private readonly budget = inject(DRAFT_PHOTO_BUDGET);
  private readonly stored = new MirroredLocalRecordMap<DraftEntry>(LOCAL_DOC_IDS.drafts, 'drafts');
  /** The writes of open forms' typing (FormDraft), for `writeTyped`. */
  private readonly typing = new Set<() => Promise<void>>();

  /** The drafts of the open database by form key, as last read or written here. */
  readonly drafts = this.stored.entries;
  /** Inspections with a draft of their own or of one of their defects. */
  readonly inspectionIds = computed(() => new Set(Object.values(this.drafts()).map((draft) => draft.inspectionId)));

  /**
   * Takes part in `writeTyped` with `write`, which keeps what a form has typed and not written
   * yet, until the returned function is called (the form is gone).
   */
  holdTyping(write: () => Promise<void>): () => void {
    this.typing.add(write);
    return () => this.typing.delete(write);
  }

  /**
   * Writes now what open forms have typed and not written yet (typing has not paused): a read of
   * the drafts after it counts them.
   */
  async writeTyped(): Promise<void> {
    await Promise.all([...this.typing].map((write) => write()));
  }

  /**
   * Whether a draft of the inspection or of one of its defects is kept now: what open forms typed
   * and not written yet is written first (a draft too), and the drafts are reread (another tab may
   * have typed). For what takes an inspection off the device.
   */
  async typedOn(inspectionId: string, db = this.localDb.db()): Promise<boolean> {
    await this.writeTyped();
    await this.refresh(db);
    return this.inspectionIds().has(inspectionId);
  }

  /** The draft kept for `key`, read from the database (another tab may have typed it). */
  async get(key: string, db = this.localDb.db()): Promise<DraftEntry | null> {
    return (await this.refresh(db))[key] ?? null;
  }

  /** Rereads every draft (another tab may have changed them). */
  async refresh(db = this.localDb.db()): Promise<Entries<DraftEntry>> {
    return db ? this.stored.refresh(db) : {};
  }

  /** Characters the photos of every draft keep (each one's KeptPhotoRef.size), read from `db`: for the storage view. */
  async keptPhotoSize(db = this.localDb.db()): Promise<number> {
    const photos = Object.values(await this.refresh(db)).flatMap((entry) => entry.photos ?? []);
    return photos.reduce((sum, { size }) => sum + size, 0);
  }

  /** Keeps what was typed on `key`'s form; the photos its draft keeps stay as they are. */
  async put(key: string, draft: DraftEntry, db = this.localDb.db()): Promise<void> {
    await this.change(db, (drafts) => ({ ...drafts, [key]: typedOn(drafts[key], draft) }));
  }

  /**
   * What is typed on `key`'s form is back to what is stored: its draft goes, unless it keeps
   * photos (it then keeps them with `draft`'s values). Gone from `drafts` at once.
   */
  async untyped(key: string, draft: DraftEntry, owner: DraftOwner, db = this.localDb.db()): Promise<void> {
    const change = (drafts: Entries<DraftEntry>) =>
      !owns(owner, drafts[key])
        ? drafts
        : drafts[key].photos?.length
          ? { ...drafts, [key]: typedOn(drafts[key], draft) }
          : withoutKeys(drafts, [key]);
    await this.changeAtOnce(db, change);
  }

  /**
   * Drops the draft of `key` with its photos: saved, or discarded by the user. Gone from `drafts`
   * at once. With an `owner`, only what that form may drop (DraftOwner).
   */
  async discard(key: string, db = this.localDb.db(), owner?: DraftOwner): Promise<void> {
    const dropped = (entry: DraftEntry | undefined): entry is DraftEntry => !!entry && (!owner || owns(owner, entry));
    const remove = (drafts: Entries<DraftEntry>) => (dropped(drafts[key]) ? withoutKeys(drafts, [key]) : drafts);
    if (db === this.localDb.db()) this.stored.preview(remove);
    if (!db) return;
    const entry = (await this.stored.read(db))[key];
    if (entry && !dropped(entry)) return this.dropPhotos(key, owner!.photos, () => false, db);
    const deleted = entry?.photos ?? [];
    await deletePhotos(db, deleted);
    let photos: readonly KeptPhotoRef[] = [];
    await this.change(db, (drafts) => {
      const now = drafts[key];
      photos = dropped(now) ? (now.photos ?? []) : [];
      return remove(drafts);
    });
    // One another tab kept meanwhile goes too (its bytes after its listing, then).
    const gone = new Set(deleted.map(({ stem }) => stem));
    await deletePhotos(
      db,
      photos.filter(({ stem }) => !gone.has(stem)),
    );
  }

  /**
   * Keeps a photo picked on `key`'s form with its draft (`draft` when there is none yet). Rejects
   * with DraftPhotoNotKept, keeping nothing of it, when the drafts' photos are at their budget or
   * storage refuses it; what was typed stays kept either way.
   */
  async keepPhoto(key: string, photo: DraftPhoto, draft: DraftEntry, db = this.localDb.db()): Promise<void> {
    if (!db) return;
    const doc: DraftPhotoDoc = { _id: draftPhotoId(photo.stem), photo: await encode(photo.photo), thumb: await encode(photo.thumb) };
    const ref: KeptPhotoRef = { stem: photo.stem, size: doc.photo.data.length + doc.thumb.data.length };
    const kept = await this.keptPhotoSize(db);
    if (kept + ref.size > this.budget) throw new DraftPhotoNotKept('full');
    let before: DraftEntry | undefined;
    let listed: DraftEntry | undefined;
    try {
      await this.change(db, (drafts) => {
        before = drafts[key];
        const entry = before ?? draft;
        listed = { ...entry, photos: [...(entry.photos ?? []).filter(({ stem }) => stem !== ref.stem), ref] };
        return { ...drafts, [key]: listed };
      });
    } catch (error) {
      throw new DraftPhotoNotKept('storage', { cause: error });
    }
    // The database closed before the listing's turn (logout, another user): nothing is kept.
    if (!listed) return;
    try {
      await db.put(doc);
    } catch (error) {
      await this.change(db, (drafts) => withoutListing(drafts, key, ref.stem, listed!, before)).catch((unlisting: unknown) =>
        console.error('Unlisting a photo storage refused failed; a restore skips it', unlisting),
      );
      throw new DraftPhotoNotKept('storage', { cause: error });
    }
  }

  /**
   * Drops photos from `key`'s draft and deletes them; a draft left without photos goes if
   * `typedNothing` says its values are those the form started with.
   */
  async dropPhotos(
    key: string,
    stems: readonly string[],
    typedNothing: (draft: DraftEntry) => boolean,
    db = this.localDb.db(),
  ): Promise<void> {
    if (!db) return;
    const gone = new Set(stems);
    await deletePhotos(
      db,
      stems.map((stem) => ({ stem })),
    );
    await this.change(db, (drafts) => {
      const draft = drafts[key];
      if (!draft?.photos?.some(({ stem }) => gone.has(stem))) return drafts;
      const { photos: listed, ...typed } = draft;
      const photos = (listed ?? []).filter(({ stem }) => !gone.has(stem));
      if (photos.length) return { ...drafts, [key]: { ...typed, photos } };
      return typedNothing(typed) ? withoutKeys(drafts, [key]) : { ...drafts, [key]: typed };
    });
  }

  /** The photos a draft keeps, in its order; one whose bytes are missing is left out. */
  async readPhotos(draft: DraftEntry, db = this.localDb.db()): Promise<DraftPhoto[]> {
    if (!db || !draft.photos?.length) return [];
    const read = await Promise.all(
      draft.photos.map(({ stem }) =>
        db.get<DraftPhotoDoc>(draftPhotoId(stem)).then(
          (doc): DraftPhoto[] => [{ stem, photo: decode(doc.photo), thumb: decode(doc.thumb) }],
          (error: unknown) => {
            if ((error as { status?: number }).status !== 404) console.error('Reading a photo of a draft failed', error);
            return [];
          },
        ),
      ),
    );
    return read.flat();
  }

  /** `change`, shown in `drafts` at once if `db` is the open database (not one a form opened before a user switch). */
  private async changeAtOnce(db: Database | null, update: (drafts: Entries<DraftEntry>) => Entries<DraftEntry>): Promise<void> {
    if (db === this.localDb.db()) this.stored.preview(update);
    await this.change(db, update);
  }

  /** Without a database (logged out), nothing is kept; nor once it is closed (MirroredLocalRecordMap). */
  private async change(db: Database | null, update: (drafts: Entries<DraftEntry>) => Entries<DraftEntry>): Promise<void> {
    if (db) await this.stored.update(db, update);
  }
}

function draftPhotoId(stem: string): string {
  return LOCAL_DOC_IDS.draftPhotoPrefix + stem;
}

function owns(owner: DraftOwner, entry: DraftEntry | undefined): entry is DraftEntry {
  return !!entry && owner.writers.has(entry.writer ?? '');
}

/** `draft`'s typed values with the photos `stored` keeps. */
function typedOn(stored: DraftEntry | undefined, draft: DraftEntry): DraftEntry {
  const { photos: _typed, ...typed } = draft;
  return stored?.photos?.length ? { ...typed, photos: stored.photos } : typed;
}

/**
 * `drafts` no longer listing the photo `stem` whose bytes were not stored: `key`'s draft back to
 * `before` if it is still as listing made it (`listed`), else only without that photo (typed since).
 */
function withoutListing(
  drafts: Entries<DraftEntry>,
  key: string,
  stem: string,
  listed: DraftEntry,
  before: DraftEntry | undefined,
): Entries<DraftEntry> {
  const entry = drafts[key];
  if (!entry?.photos?.some((photo) => photo.stem === stem)) return drafts;
  if (jsonEqual(entry, listed)) return before ? { ...drafts, [key]: before } : withoutKeys(drafts, [key]);
  const { photos: listedPhotos, ...typed } = entry;
  const photos = listedPhotos.filter((photo) => photo.stem !== stem);
  return { ...drafts, [key]: photos.length ? { ...typed, photos } : typed };
}

/** Deletes the bytes of photos about to be unlisted; one already gone is no matter. */
async function deletePhotos(db: Database, photos: readonly Pick<KeptPhotoRef, 'stem'>[]): Promise<void> {
  for (const { stem } of photos) {
    try {
      await db.remove(await db.get(draftPhotoId(stem)));
    } catch (error) {
      if ((error as { status?: number }).status !== 404) console.error('Deleting a photo of a draft failed', error);
    }
  }
}

async function encode(blob: Blob): Promise<EncodedImage> {
  return { content_type: blob.type, data: await blobToBase64(blob) };
}

function decode({ content_type, data }: EncodedImage): Blob {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: content_type });
}
