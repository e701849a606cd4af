import { join } from 'node:path';

export const E2E_PORT = Number(process.env['E2E_PORT'] ?? 8787);
export const E2E_COUCH_PORT = Number(process.env['E2E_COUCH_PORT'] ?? 5987);
export const E2E_DATA_DIR = process.env['E2E_DATA_DIR'] ?? join(__dirname, '..', '.artifacts', 'data');
export const DEMO_PASSWORD = 'fieldbook-demo';
/** Where the e2e stack leaves the admin URL of a CouchDB it started (the embedded server keeps its own). */
export const E2E_ADMIN_URL_FILE = join(E2E_DATA_DIR, 'couchdb-admin-url');
/** The e2e build of the PWA (`ng build -c production,e2e`): the production build plus its test hook, window.fieldbookDb. E2E_APP_DIR lets parallel runs use builds of their own. */
export const E2E_APP_DIR = process.env['E2E_APP_DIR'] ?? join(__dirname, '..', '..', 'dist', 'fieldbook-e2e', 'browser');
