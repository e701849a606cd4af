import { Inspection } from '../../../domain/doc-types';
import { inspectionFields } from '../../../test/fixtures/documents';
import { Database } from '../core/pouchdb';
import { newDocId } from '../data/doc-writer.service';

/**
 * Writes `count` inspections at once, as a sync would: "Inspection 1" … "Inspection N",
 * scheduled one day apart from 2026-01-01, each open to changes through `fields(n)`.
 */
export async function seedInspections(db: Database, count: number, fields: (n: number) => Partial<Inspection> = () => ({})): Promise<void> {
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);
  await db.bulkDocs(
    Array.from({ length: count }, (_, n) => ({
      _id: newDocId('inspection'),
      ...inspectionFields({ title: `Inspection ${n + 1}`, site: 'Depot 4', scheduledFor: day(n), checklist: [], ...fields(n) }),
    })),
  );
}
