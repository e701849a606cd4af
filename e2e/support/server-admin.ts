import { join } from 'node:path';
import { couchAdmin, type CouchAdmin } from '../../couch/couch-admin';
import { embeddedAdminUrl } from '../../couch/embedded-couch';
import { E2E_COUCH_PORT, E2E_DATA_DIR } from './e2e-env';

/** nano as the embedded server's admin, to check what really reached the server. */
export function serverAdmin(): CouchAdmin {
  const url = embeddedAdminUrl(join(E2E_DATA_DIR, 'couch'), E2E_COUCH_PORT);
  if (!url) throw new Error(`no embedded server in ${E2E_DATA_DIR}`);
  return couchAdmin(url);
}
