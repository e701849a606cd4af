/**
 * `npm start`: the whole system on one machine. Starts the embedded CouchDB-compatible
 * server (or uses COUCH_URL), bootstraps it, creates demo users, builds the PWA and the
 * proxy when their sources are newer than the builds, and serves the app through the proxy,
 * which runs compiled (dist/proxy/main.js) in a child process, restarted if it dies.
 *
 * `--bootstrap-only`: bootstrap COUCH_URL (and with `--demo` add the demo users), then exit.
 * (The container image runs the same setup compiled, dist/couch/bootstrap.js, then the proxy.)
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { embeddedCouchLocation } from '../couch/admin-url';
import { startEmbeddedCouch, type EmbeddedCouch } from '../couch/embedded-couch';
import { actingAdminName } from '../couch/server-admins';
import { DEMO_USERS, setUpServer } from '../couch/server-setup';
import { positiveNumberFromEnv } from '../domain/env-number';
import { DEFAULT_STATIC_DIR } from '../proxy/package-root';
import { buildProxyIfStale } from './build-proxy';
import { runProxyChild } from './proxy-child';
import { isStale } from './stale-files';

const ROOT = resolve(__dirname, '..');

async function main() {
  const env = process.env;
  const sessionDays = positiveNumberFromEnv(env, 'FIELDBOOK_SESSION_DAYS', 30);
  const location = embeddedCouchLocation(env);
  let embedded: EmbeddedCouch | null = null;
  let adminUrl = env['COUCH_URL'];
  if (!adminUrl) {
    embedded = await startEmbeddedCouch(location);
    adminUrl = embedded.adminUrl;
  }
  const withDemo = embedded !== null || process.argv.includes('--demo');
  const demoPassword = env['FIELDBOOK_DEMO_PASSWORD'] ?? 'fieldbook-demo';
  const { couch, demoUsers } = await setUpServer(adminUrl, {
    sessionDays,
    demoPassword: withDemo ? demoPassword : undefined,
  });

  if (process.argv.includes('--bootstrap-only')) {
    console.log(`Bootstrapped${demoUsers.length ? `, demo logins: ${demoUsers.map(([name]) => name).join(', ')}` : ''}.`);
    await embedded?.stop();
    process.exit(0);
  }

  const staticDir = env['FIELDBOOK_STATIC_DIR'] ? resolve(env['FIELDBOOK_STATIC_DIR']) : DEFAULT_STATIC_DIR;
  if (!env['FIELDBOOK_STATIC_DIR']) buildAppIfStale();
  await buildProxyIfStale();
  const proxy = await runProxyChild(
    {
      ...env,
      COUCH_URL: adminUrl,
      FIELDBOOK_STATIC_DIR: staticDir,
      PORT: env['PORT'] ?? '8080',
      HOST: env['HOST'] ?? '127.0.0.1',
      FIELDBOOK_SESSION_DAYS: String(sessionDays),
    },
    (line) => console.log(line),
  );

  const lines = [
    '',
    `Fieldbook is running at ${proxy.url}/`,
    embedded ? `  Embedded PouchDB Server: ${embedded.url} (data in ${location.dataDir})` : '  CouchDB: COUCH_URL',
    `  Fauxton (admins): ${proxy.url}/_utils/`,
  ];
  if (withDemo) {
    lines.push(`  Demo logins (password "${demoPassword}"):`);
    for (const [name, role] of demoUsers) lines.push(`    ${name.padEnd(6)} ${role}`);
    if (demoUsers.length < DEMO_USERS.length) lines.push(`  (no demo login "${actingAdminName(couch)}": that is CouchDB's server admin)`);
  }
  lines.push('Press Ctrl-C to stop.', '');
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await proxy.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Builds the PWA when there is no build or a source file is newer than it. */
function buildAppIfStale() {
  // Every input of `ng build`: the app, its assets, the domain it shares with the server
  // (lint forbids it other imports outside src/) and the build's own configuration.
  const inputs = ['src', 'public', 'domain', 'angular.json', 'package-lock.json', 'ngsw-config.json', 'tsconfig.json', 'tsconfig.app.json'];
  if (
    !isStale(
      [join(DEFAULT_STATIC_DIR, 'index.html')],
      inputs.map((path) => join(ROOT, path)),
    )
  )
    return;
  console.log('Building the PWA (ng build)...');
  const result = spawnSync(process.execPath, [require.resolve('@angular/cli/bin/ng.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('ng build failed');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
