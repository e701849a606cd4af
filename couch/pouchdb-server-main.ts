/**
 * Entry point of the embedded PouchDB Server child process (see embedded-couch.ts).
 *
 * pouchdb-validation 4.2.0, which PouchDB Server uses for `validate_doc_update`, replaces
 * the revision history a `new_edits: false` write carries (`_revisions`) with the stored
 * document's. Every edit a device replicates up is then silently dropped. It is the last
 * release, so the module is loaded here with that one line corrected, before the server
 * requires it. CouchDB itself does not have the bug.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';

// The parent holds our stdin open. When it ends, the parent is gone, however it went (a
// SIGTERM or SIGKILL skips its exit handlers, e.g. a test runner's file timeout): go too,
// rather than hold the port and the data dir as an orphan.
if (!process.stdin.isTTY) process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();

const BUGGY = 'newDoc._revisions = (oldDoc || {})._revisions;';
const FIXED = 'if (!newDoc._revisions) { newDoc._revisions = (oldDoc || {})._revisions; }';

const file = require.resolve('pouchdb-validation', { paths: [dirname(require.resolve('express-pouchdb'))] });
const source = readFileSync(file, 'utf8');
if (!source.includes(BUGGY)) throw new Error(`${file} changed: review the fix in couch/pouchdb-server-main.ts`);
const patched = new Module(file, module) as Module & { _compile(code: string, filename: string): void; paths: string[] };
patched.filename = file;
patched.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
patched._compile(source.replace(BUGGY, FIXED), file);
patched.loaded = true;
require.cache[file] = patched;

require('pouchdb-server/lib/index.js');
