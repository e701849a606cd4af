import { Database } from './pouchdb';

/** Whether `db` holds `id` live: neither deleted nor purged (nor ever there). */
export async function isLive(db: Database, id: string): Promise<boolean> {
  try {
    await db.get(id);
    return true;
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    return false;
  }
}
