import express, { type Request, type Response } from 'express';
import { API_REASONS } from '../domain/api-reasons';
import { isArchiveDays, MAX_ARCHIVE_DAYS, type AppSettings } from '../domain/archive-settings';
import { adminsOnly, type AdminCheck, type AdminLocals } from './admin-caller';
import type { Authenticator } from './authenticate';
import { badGateway, badRequest, sendCouchError, unauthorized } from './couch-error';
import { bodyOf, smallJson } from './api-body';

/** The server-side settings, kept as server admin: their database is admin-only. */
export interface SettingsStore {
  read(): Promise<AppSettings>;
  setArchiveDays(days: number): Promise<AppSettings>;
}

interface SettingsRouteDeps {
  authenticator: Authenticator;
  settings: SettingsStore;
}

/** `GET /api/settings`: for every signed-in user, read-only, the settings a tablet needs (how long closed work stays on it). */
export function settingsRoute({ authenticator, settings }: SettingsRouteDeps) {
  return async (req: Request, res: Response) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    await answer(req, res, () => settings.read());
  };
}

/**
 * `PUT /api/admin/settings` `{archiveDays}`: an admin sets the archive period from the app, as
 * `npm run settings` does on the server; answers the settings now in force. Tablets read them
 * when next online.
 */
export function settingsAdminRoutes({ admins, settings }: { admins: AdminCheck; settings: SettingsStore }) {
  const router = express.Router();
  router.use(adminsOnly(admins, API_REASONS.settingsAdminsOnly));
  router.put('/', smallJson, async (req: Request, res: Response<unknown, AdminLocals>) => {
    const { archiveDays } = bodyOf(req);
    if (!isArchiveDays(archiveDays))
      return sendCouchError(res, badRequest(`Send "archiveDays": a whole number of days from 0 to ${MAX_ARCHIVE_DAYS}.`));
    await answer(req, res, async () => {
      const now = await settings.setArchiveDays(archiveDays);
      req.log?.info({ by: res.locals.admin, archiveDays }, 'settings changed');
      return now;
    });
  });
  return router;
}

async function answer(req: Request, res: Response, work: () => Promise<AppSettings>): Promise<void> {
  let settings: AppSettings;
  try {
    settings = await work();
  } catch (error) {
    req.log?.warn({ error: (error as Error).message }, 'could not read or change the settings');
    return sendCouchError(res, badGateway(API_REASONS.settingsUnread));
  }
  res.set('Cache-Control', 'no-store').json(settings);
}
