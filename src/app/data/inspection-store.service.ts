import { Injectable, inject } from '@angular/core';
import { Observable, concat, defer, filter, from, map, merge, of, switchMap } from 'rxjs';
import { isAuditId } from '../../../domain/audit-entry';
import { ChecklistItem, Defect, Inspection, PhotoDoc } from '../../../domain/doc-types';
import { migrateDoc } from '../../../domain/schema-versions';
import { LocalPurgeService } from '../archive/local-purge.service';
import { ChangesFeedReader } from '../core/changes-feed-reader.service';
import { LocalDbService } from '../core/local-db.service';
import { Session } from '../core/session.model';
import { DefectStoreService } from './defect-store.service';
import { DocWriterService, newDocId } from './doc-writer.service';
import { ValidationError, validateDoc } from './validation-bridge';
import { WithConflicts, readWithConflicts } from './read-with-conflicts';
import { LOCAL_FIND_LIMIT } from './find-limit';
import { InspectionQuery, countListed, findListIds } from './inspection-list-query';

/** One page of a list: the shown inspections, soonest scheduled first, and how many match (null: still counting). */
export interface InspectionPage {
  inspections: WithConflicts<Inspection>[];
  total: number | null;
}

export interface NewInspection {
  title: string;
  site: string;
  scheduledFor: string;
  checklist?: ChecklistItem[];
}

/**
 * Items every new inspection starts with; inspectors add or remove their own. Stored as text,
 * so in the language of whoever creates the inspection.
 */
export const DEFAULT_CHECKLIST: readonly string[] = [
  $localize`:@@checklist.default.access:Access and escape routes clear`,
  $localize`:@@checklist.default.extinguishers:Fire extinguishers present and in date`,
  $localize`:@@checklist.default.electrical:Electrical panels closed and labelled`,
  $localize`:@@checklist.default.ppe:Personal protective equipment in use`,
];

/** Today's date in the device's time zone, as `YYYY-MM-DD`. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function newChecklistItem(label: string): ChecklistItem {
  return { id: crypto.randomUUID(), label, result: null };
}

/**
 * Inspections in the local database: list queries through the Mango indexes, and edits. They are
 * read in the current shape (domain/schema-versions.ts), whatever version is stored.
 */
@Injectable({ providedIn: 'root' })
export class InspectionStoreService {
  private readonly localDb = inject(LocalDbService);
  private readonly changesFeed = inject(ChangesFeedReader);
  private readonly writer = inject(DocWriterService);
  private readonly purge = inject(LocalPurgeService);
  private readonly defects = inject(DefectStoreService);

  /** The id of each record changed locally (an edit, a pull, another tab) or purged off the device; not their audit entries. */
  readonly changes$: Observable<string> = merge(this.changesFeed.changedIds$.pipe(filter((id) => !isAuditId(id))), this.purge.purged$);

  /**
   * The first `query.limit` inspections matching the query (only those are read in full), as
   * soon as they are read; when their total needs a count of its own (a tablet's whole list:
   * thousands), the same page again with the total.
   */
  list(query: InspectionQuery): Observable<InspectionPage> {
    return defer(async () => {
      const db = this.localDb.require();
      const { ids, total } = await findListIds(db, query);
      return { db, page: { inspections: (await readWithConflicts<Inspection>(db, ids)).map(migrateDoc), total } };
    }).pipe(
      switchMap(({ db, page }) =>
        page.total === null ? concat(of(page), from(countListed(db)).pipe(map((total) => ({ ...page, total })))) : of(page),
      ),
    );
  }

  /** Read in the current shape: an older one the server has not migrated yet goes through the same steps. */
  async get(id: string): Promise<WithConflicts<Inspection>> {
    return migrateDoc(await this.localDb.require().get<Inspection>(id, { conflicts: true }));
  }

  create(input: NewInspection): Promise<Inspection> {
    return this.writer.save<Inspection>({
      _id: newDocId('inspection'),
      type: 'inspection',
      title: input.title,
      site: input.site,
      status: 'draft',
      scheduledFor: input.scheduledFor,
      checklist: input.checklist ?? DEFAULT_CHECKLIST.map(newChecklistItem),
    });
  }

  update(inspection: Inspection, changes: Partial<Omit<Inspection, '_id' | '_rev' | 'type'>>): Promise<Inspection> {
    const { _conflicts, ...doc } = inspection as WithConflicts<Inspection>;
    return this.writer.save<Inspection>({ ...doc, ...changes });
  }

  /**
   * Hands the inspection to a supervisor for review, with the page's unsaved `changes`. Its
   * defects' copy of its status (`inspectionStatus`) turns `submitted` with it, so the rules keep
   * them read-only as well (validate_doc_update sees one document at a time); the inspection is
   * written first, and a defect that changes meanwhile still gets the copy (saveWithCopies).
   */
  async submit(inspection: Inspection, changes: Partial<Omit<Inspection, '_id' | '_rev' | 'type'>> = {}): Promise<Inspection> {
    const { _conflicts, ...doc } = inspection as WithConflicts<Inspection>;
    const found = await this.localDb.require().find({
      selector: { inspectionId: inspection._id },
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    const { main } = await this.writer.saveWithCopies<Inspection, Defect>(
      { ...doc, ...changes, status: 'submitted' },
      found.docs as Defect[],
      (defect) => ({ ...defect, inspectionStatus: 'submitted' }),
    );
    return main;
  }

  /**
   * Deletes the inspection, its defects and the photo documents this device holds of them; throws
   * ValidationError, deleting nothing, if the rules refuse any of them (the inspection's refusal
   * first). Each defect goes in one write with its photos (as the defect page deletes one), one
   * after the other, the inspection last, so a failed write leaves it to delete again. Its tombstone
   * names the defects: a version of it kept over the deletion brings them back (DefectRestoreService).
   */
  async remove(inspection: Inspection): Promise<void> {
    const db = this.localDb.require();
    const found = await db.find({
      selector: { inspectionId: inspection._id },
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    const defects = found.docs as Defect[];
    const photos = await Promise.all(defects.map((defect) => this.defects.localPhotoDocs(defect._id)));
    for (const doc of [await db.get<Inspection>(inspection._id), ...defects, ...photos.flat()]) {
      const refused = deletionRefused(doc, this.writer.author());
      if (refused) throw refused;
    }
    for (const [i, defect] of defects.entries()) await this.defects.remove(defect, photos[i]);
    await this.writer.remove(inspection, [], { deletedDefects: defects.map((defect) => defect._id) });
  }
}

/** Why the rules refuse `user` the deletion of `doc` as stored, or null if they allow it. */
export function deletionRefused(doc: Inspection | Defect | PhotoDoc, user: Pick<Session, 'name' | 'roles'>): ValidationError | null {
  const errors = validateDoc({ _id: doc._id, _rev: doc._rev, _deleted: true }, doc, user);
  return Object.keys(errors).length ? new ValidationError(errors) : null;
}
