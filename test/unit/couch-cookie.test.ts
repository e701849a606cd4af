import assert from 'node:assert/strict';
import { test } from 'node:test';
import { couchCookieIssuedAt } from '../../proxy/couch-cookie';

test('reads the issue time of a CouchDB AuthSession cookie', () => {
  // Issued by PouchDB Server for alice at 0x6B046208 seconds.
  assert.equal(couchCookieIssuedAt('YWxpY2U6NkIwNDYyMDg6AmTtJhcUdReuE-mrUx3bkPO4X_U'), 0x6b046208);
  assert.equal(couchCookieIssuedAt(Buffer.from('bob:1F:mac').toString('base64url')), 31);
  assert.equal(couchCookieIssuedAt('not-a-cookie'), null);
});

test('reads the issue time also when the binary HMAC contains ":"', () => {
  const cookie = Buffer.from('alice:6B046208:\x02:\xe6::\x91', 'latin1').toString('base64url');
  assert.equal(couchCookieIssuedAt(cookie), 0x6b046208);
});
