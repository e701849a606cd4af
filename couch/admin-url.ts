import { resolve } from 'node:path';
import { portFromEnv } from '../domain/env-number';
import { embeddedAdminUrl } from './embedded-couch';

const ROOT = resolve(__dirname, '..');

/** Where `npm start` runs the embedded server: `<FIELDBOOK_DATA_DIR or .data>/couch`, port FIELDBOOK_COUCH_PORT (5984). */
export function embeddedCouchLocation(env: NodeJS.ProcessEnv = process.env): { dataDir: string; port: number } {
  return { dataDir: resolve(ROOT, env['FIELDBOOK_DATA_DIR'] ?? '.data', 'couch'), port: portFromEnv(env, 'FIELDBOOK_COUCH_PORT', 5984) };
}

/** The server admin URL for tools: COUCH_URL, or else the embedded server's, from the credentials in its data dir. */
export function adminCouchUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env['COUCH_URL']) return env['COUCH_URL'];
  const { dataDir, port } = embeddedCouchLocation(env);
  const url = embeddedAdminUrl(dataDir, port);
  if (!url) throw new Error(`COUCH_URL is not set and ${dataDir} holds no embedded server: set COUCH_URL, or run "npm start" once`);
  return url;
}
