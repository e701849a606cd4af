import { photoDocId } from '../../../domain/photo-doc';
import { Database } from '../core/pouchdb';

/** The full-size photo documents of a defect on this device (`photo:<defectId>:<stem>`); none for another record. */
export async function photoIdsOf(db: Database, recordId: string): Promise<string[]> {
  const prefix = photoDocId(recordId, '');
  const { rows } = await db.allDocs({ startkey: prefix, endkey: `${prefix}\ufff0` });
  return rows.map((row) => row.id);
}
