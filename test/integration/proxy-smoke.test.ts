import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { userDbName } from '../../couch/user-db-name';
import { basicAuth, loginCookie, startTestStack, type TestStack } from '../support/couch-harness';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(() => stack.stop());

test('smoke', async () => {
  const cookie = await loginCookie(stack.proxy.url, 'alice');
  const db = `${stack.proxy.url}/db/${userDbName('alice')}`;
  const info = await fetch(db, { headers: { cookie } });
  console.log(info.status, await info.text());
  const basic = await fetch(db + '/_all_docs', { headers: { authorization: basicAuth('alice') } });
  console.log(basic.status, await basic.text());
  const bob = await fetch(`${stack.proxy.url}/db/${userDbName('bob')}`, { headers: { cookie } });
  console.log(bob.status, await bob.text());
  assert.equal(info.status, 200);
});
