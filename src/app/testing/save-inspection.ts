import { TestBed } from '@angular/core/testing';
import { Inspection } from '../../../domain/doc-types';
import { inspectionFields } from '../../../test/fixtures/documents';
import { DocWriterService, newDocId } from '../data/doc-writer.service';

/** Saves a valid draft inspection (or a new revision of `base`) through the app's data service. */
export function saveInspection(title: string, base?: Inspection): Promise<Inspection> {
  return TestBed.inject(DocWriterService).save<Inspection>(
    base
      ? { ...base, title }
      : { _id: newDocId('inspection'), ...inspectionFields({ title, site: 'Depot 4', scheduledFor: '2026-03-02', checklist: [] }) },
  );
}
