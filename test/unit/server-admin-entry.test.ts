import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverAdminEntry } from '../../couch/server-admins';
import type { UserDoc } from '../../couch/user-docs';

const login: UserDoc = { _id: 'org.couchdb.user:ada', name: 'ada', type: 'user', roles: [], password_scheme: 'pbkdf2' };

test("a login's server admin entry is its own password hash, in the admins section's format", () => {
  // CouchDB 3.4 names the PRF; PouchDB Server's SHA-1 hash names none.
  assert.equal(
    serverAdminEntry({ ...login, pbkdf2_prf: 'sha256', derived_key: 'ab12', salt: 'cd34', iterations: 600000 }),
    '-pbkdf2:sha256-ab12,cd34,600000',
  );
  assert.equal(serverAdminEntry({ ...login, derived_key: 'ab12', salt: 'cd34', iterations: 10 }), '-pbkdf2-ab12,cd34,10');
  assert.throws(() => serverAdminEntry({ ...login, password: 'not-hashed-yet' }), /no pbkdf2 password hash/);
});
