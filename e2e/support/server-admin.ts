import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { couchAdmin, type CouchAdmin } from '../../couch/couch-admin';
import { E2E_COUCH_PORT, E2E_DATA_DIR } from './e2e-env';

/** nano as the embedded server's admin, to check what really reached the server. */
export function serverAdmin(): CouchAdmin {
  const { name, password } = JSON.parse(readFileSync(join(E2E_DATA_DIR, 'couch', 'admin-credentials.json'), 'utf8')) as {
    name: string;
    password: string;
  };
  return couchAdmin(`http://${name}:${encodeURIComponent(password)}@127.0.0.1:${E2E_COUCH_PORT}`);
}
