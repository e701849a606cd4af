import { photoIdRangeOf } from '../../../domain/photo-doc';
import { Database } from '../core/pouchdb';

/** The full-size photo documents of a defect on this device (`photo:<defectId>:<stem>`); none for another record. */
export async function photoIdsOf(db: Database, recordId: string): Promise<string[]> {
  const { rows } = await db.allDocs(photoIdRangeOf(recordId));
  return rows.map((row) => row.id);
}
