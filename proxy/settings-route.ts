import type { Request, Response } from 'express';
import { isNotFound, type CouchAdmin } from '../couch/couch-admin';
import { appSettingsOf, SETTINGS_DB, SETTINGS_DOC_ID, type AppSettings } from '../domain/archive-settings';
import type { Authenticator } from './authenticate';
import { badGateway, sendCouchError, unauthorized } from './couch-error';

interface SettingsRouteDeps {
  authenticator: Authenticator;
  /** The server-side settings, read by the proxy as server admin: their database is admin-only. */
  readSettings: () => Promise<AppSettings>;
}

/** `GET /api/settings`: for every signed-in user, read-only, the settings a tablet needs (how long closed work stays on it). */
export function settingsRoute({ authenticator, readSettings }: SettingsRouteDeps) {
  return async (req: Request, res: Response) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    let settings: AppSettings;
    try {
      settings = await readSettings();
    } catch (error) {
      req.log?.warn({ error: (error as Error).message }, 'could not read the settings');
      return sendCouchError(res, badGateway('The database server did not answer with the settings.'));
    }
    res.set('Cache-Control', 'no-store').json(settings);
  };
}

/** The settings as stored (admin-only database), the defaults before an admin set any. */
export async function storedAppSettings(admin: CouchAdmin): Promise<AppSettings> {
  try {
    return appSettingsOf(await admin.use(SETTINGS_DB).get(SETTINGS_DOC_ID));
  } catch (error) {
    if (isNotFound(error)) return appSettingsOf(null);
    throw error;
  }
}
