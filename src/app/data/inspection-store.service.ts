import { Injectable, inject } from '@angular/core';
import { toObservable } from '@angular/core/rxjs-interop';
import { Observable, map } from 'rxjs';
import { ChecklistItem, Defect, Inspection, InspectionStatus } from '../../../couch/doc-types';
import { LocalDbService, liveChanges } from '../core/local-db.service';
import { DocWriterService, newDocId } from './doc-writer.service';
import { WithConflicts, readWithConflicts } from './read-with-conflicts';
import { LOCAL_FIND_LIMIT } from './find-limit';

export interface InspectionFilter {
  status: InspectionStatus | 'all';
  /** Matched case-insensitively against title and site. */
  search: string;
}

export interface NewInspection {
  title: string;
  site: string;
  scheduledFor: string;
  checklist?: ChecklistItem[];
}

/** Items every new inspection starts with; inspectors add or remove their own. */
export const DEFAULT_CHECKLIST: readonly string[] = [
  'Access and escape routes clear',
  'Fire extinguishers present and in date',
  'Electrical panels closed and labelled',
  'Personal protective equipment in use',
];

/** Today's date in the device's time zone, as `YYYY-MM-DD`. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function newChecklistItem(label: string): ChecklistItem {
  return { id: crypto.randomUUID(), label, result: null };
}

/** Inspections in the local database: list queries through the Mango indexes, and edits. */
@Injectable({ providedIn: 'root' })
export class InspectionStoreService {
  private readonly localDb = inject(LocalDbService);
  private readonly writer = inject(DocWriterService);

  /** The id of each document changed locally (an edit, a pull, another tab). */
  readonly changes$: Observable<string> = liveChanges(toObservable(this.localDb.db)).pipe(map((change) => change.id));

  /** Inspections matching `filter`, soonest scheduled first. */
  async list(filter: InspectionFilter): Promise<WithConflicts<Inspection>[]> {
    const db = this.localDb.require();
    const selector: PouchDB.Find.Selector = { type: 'inspection', scheduledFor: { $gt: null } };
    if (filter.status !== 'all') selector['status'] = filter.status;
    const found = await db.find({
      selector,
      fields: ['_id'],
      sort: [{ type: 'asc' }, { scheduledFor: 'asc' }],
      use_index: ['idx-type-scheduled', 'type-scheduled'],
      limit: LOCAL_FIND_LIMIT,
    });
    const docs = await readWithConflicts<Inspection>(db, found.docs.map((doc) => doc._id));
    const search = filter.search.trim().toLowerCase();
    return search
      ? docs.filter((doc) => doc.title.toLowerCase().includes(search) || doc.site.toLowerCase().includes(search))
      : docs;
  }

  async get(id: string): Promise<WithConflicts<Inspection>> {
    return this.localDb.require().get<Inspection>(id, { conflicts: true });
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

  /** Hands the inspection to a supervisor for review. */
  submit(inspection: Inspection): Promise<Inspection> {
    return this.update(inspection, { status: 'submitted' });
  }

  /** Deletes the inspection and its defects. */
  async remove(inspection: Inspection): Promise<void> {
    const db = this.localDb.require();
    const defects = await db.find({ selector: { inspectionId: inspection._id }, fields: ['_id', '_rev'], limit: LOCAL_FIND_LIMIT });
    for (const defect of defects.docs as Pick<Defect, '_id' | '_rev'>[]) await this.writer.remove(defect);
    await this.writer.remove(inspection);
  }
}
