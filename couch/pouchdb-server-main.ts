/**
 * Entry point of the embedded PouchDB Server child process (see embedded-couch.ts).
 *
 * pouchdb-validation 4.2.0, which PouchDB Server uses for `validate_doc_update`, replaced
 * the revision history a `new_edits: false` write carries (`_revisions`) with the stored
 * document's, so every edit a device replicated up was silently dropped. It is the last
 * release; `patches/pouchdb-validation+4.2.0.patch` corrects that one line, applied by
 * patch-package on `npm ci`/`npm install` (the `postinstall` script). The server refuses to
 * start without it rather than lose writes. CouchDB itself does not have the bug.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { dirname } from 'node:path';

// The parent holds our stdin open. When it ends, the parent is gone, however it went (a
// SIGTERM or SIGKILL skips its exit handlers, e.g. a test runner's file timeout): go too,
// rather than hold the port and the data dir as an orphan.
if (!process.stdin.isTTY)
  process.stdin
    .on('end', () => process.exit(0))
    .on('error', () => process.exit(0))
    .resume();

const PATCHED = 'if (!newDoc._revisions) { newDoc._revisions = (oldDoc || {})._revisions; }';
const validation = require.resolve('pouchdb-validation', { paths: [dirname(require.resolve('express-pouchdb'))] });
if (!readFileSync(validation, 'utf8').includes(PATCHED)) {
  throw new Error(
    `${validation} is not patched (patches/pouchdb-validation+4.2.0.patch): run "npx patch-package" (npm ci runs it unless scripts are skipped)`,
  );
}

// PouchDB Server only logs that it cannot listen (a port in use) and then runs on, serving
// nothing: exit instead, so the supervisor sees the failure and says why.
const serverEntry = require.resolve('pouchdb-server/lib/index.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- its own Express 4, whose apps copy `listen` when made
const { application } = require(require.resolve('express', { paths: [dirname(serverEntry)] })) as { application: Listening };
const listen = application.listen;
application.listen = function (this: unknown, ...args: unknown[]) {
  return listen.apply(this, args).once('error', (error: Error) => {
    console.error(`PouchDB Server cannot listen: ${error.message}`);
    process.exit(1);
  });
};

interface Listening {
  listen(this: unknown, ...args: unknown[]): Server;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- after the check: an import would start the server first
require(serverEntry);

// Ctrl-C in `npm start`'s terminal reaches the whole process group, and PouchDB Server exits
// on SIGINT: the database went away while the proxy was still finishing its requests, and the
// supervisor restarted it meanwhile. Its supervisor stops it (SIGTERM, or the end of stdin).
if (!process.stdin.isTTY) {
  process.removeAllListeners('SIGINT');
  process.on('SIGINT', () => console.error('SIGINT: left to the supervisor, which stops this server after the proxy'));
}
