import type { CouchAdmin } from './couch-admin';
import { isConflict, isNotFound } from './couch-admin';
import { appSettingsOf, isArchiveDays, SETTINGS_DB, SETTINGS_DOC_ID, type AppSettings } from '../domain/archive-settings';

interface SettingsDoc extends Partial<AppSettings> {
  _id: string;
  _rev?: string;
}

/** The server's settings; the defaults before an admin set any (or before the bootstrap made the database). */
export async function readAppSettings(couch: CouchAdmin): Promise<AppSettings> {
  return appSettingsOf(await storedSettings(couch));
}

/** Sets how many days after its approval an inspection leaves the tablets (the bootstrap made the database). */
export async function setArchiveDays(couch: CouchAdmin, days: number): Promise<AppSettings> {
  if (!isArchiveDays(days)) throw new Error(`archive days must be a whole number from 0, not ${days}`);
  // Two admins at once: the later write takes the current revision and wins.
  for (let attempt = 0; ; attempt++) {
    const current = (await storedSettings(couch)) ?? { _id: SETTINGS_DOC_ID };
    try {
      await couch.use<SettingsDoc>(SETTINGS_DB).insert({ ...current, archiveDays: days });
      return readAppSettings(couch);
    } catch (error) {
      if (!isConflict(error) || attempt === 4) throw error;
    }
  }
}

async function storedSettings(couch: CouchAdmin): Promise<SettingsDoc | null> {
  try {
    return (await couch.use<SettingsDoc>(SETTINGS_DB).get(SETTINGS_DOC_ID)) as SettingsDoc;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
