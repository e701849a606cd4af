import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';

const require = createRequire(import.meta.url);
/** PouchDB Server's configuration store (express-pouchdb, patched: patches/express-pouchdb+4.2.0.patch). */
const installConfig = require('express-pouchdb/lib/config-infrastructure.js') as (app: { opts: { configPath: string } }) => void;

const dir = mkdtempSync(join(tmpdir(), 'fieldbook-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a configuration write that fails on a full disk leaves config.json as it was, not emptied', async () => {
  const file = join(dir, 'config.json');
  const stored = { couch_httpd_auth: { secret: 'kept' }, admins: { 'couchdb-admin': '-pbkdf2-abc,def,10' } };
  writeFileSync(file, JSON.stringify(stored));
  // A full disk: the temp file is created, nothing goes in it, and the write fails.
  const written = new Promise<void>((resolve) => {
    mock.method(fs, 'writeFile', (path: string, _data: unknown, callback: (error: Error | null) => void) => {
      fs.writeFileSync(path, '');
      callback(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
      setImmediate(resolve);
    });
  });
  // The server saves its configuration as it starts.
  installConfig({ opts: { configPath: file } });
  await written;
  mock.restoreAll();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), stored);
});
