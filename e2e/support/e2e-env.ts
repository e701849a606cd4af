import { join } from 'node:path';

export const E2E_PORT = Number(process.env['E2E_PORT'] ?? 8787);
export const E2E_COUCH_PORT = Number(process.env['E2E_COUCH_PORT'] ?? 5987);
export const E2E_DATA_DIR = process.env['E2E_DATA_DIR'] ?? join(__dirname, '..', '.artifacts', 'data');
export const DEMO_PASSWORD = 'fieldbook-demo';
