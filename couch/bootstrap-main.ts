/**
 * The container's bootstrap, compiled to dist/couch/bootstrap.js by `npm run build:bootstrap`
 * and run with plain `node` before the proxy: no tsx, no TypeScript compiler (the design
 * documents come from dist/couch/design/*.json), no embedded server.
 *
 *   COUCH_URL=http://admin:secret@couchdb:5984 node dist/couch/bootstrap.js [--demo]
 *
 * Env: COUCH_URL (required, a server admin's credentials), FIELDBOOK_SESSION_DAYS (30),
 * FIELDBOOK_DEMO_PASSWORD (with --demo). Exits 0 once bootstrapped, 1 with one sentence if not.
 */
import { positiveNumberFromEnv } from '../domain/env-number';
import { setUpServer } from './server-setup';

async function main(): Promise<void> {
  const env = process.env;
  const adminUrl = env['COUCH_URL'];
  if (!adminUrl) throw new Error('COUCH_URL (with admin credentials) is required');
  const demo = process.argv.includes('--demo');
  const { demoUsers } = await setUpServer(adminUrl, {
    sessionDays: positiveNumberFromEnv(env, 'FIELDBOOK_SESSION_DAYS', 30),
    demoPassword: demo ? (env['FIELDBOOK_DEMO_PASSWORD'] ?? 'fieldbook-demo') : undefined,
  });
  console.log(`Bootstrapped${demoUsers.length ? `, demo logins: ${demoUsers.map(([name]) => name).join(', ')}` : ''}.`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
