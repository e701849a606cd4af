import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { couchAdmin, type CouchAdmin } from '../../couch/couch-admin';
import { embeddedAdminUrl } from '../../couch/embedded-couch';
import { E2E_ADMIN_URL_FILE, E2E_COUCH_PORT, E2E_DATA_DIR } from './e2e-env';

/** nano as the server's admin (CouchDB's, or npm start's embedded server's), to check what really reached the server. */
export function serverAdmin(): CouchAdmin {
  const url = existsSync(E2E_ADMIN_URL_FILE)
    ? readFileSync(E2E_ADMIN_URL_FILE, 'utf8')
    : embeddedAdminUrl(join(E2E_DATA_DIR, 'couch'), E2E_COUCH_PORT);
  if (!url) throw new Error(`no server in ${E2E_DATA_DIR}`);
  return couchAdmin(url);
}
