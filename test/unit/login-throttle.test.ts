import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addressKey } from '../../proxy/client-address';
import type { CouchError } from '../../proxy/couch-error';
import { DEFAULT_THROTTLE, LoginThrottle, type LoginAttempt } from '../../proxy/login-throttle';

/** A throttle driven as the proxy drives it: each login begun, then failed or succeeded. */
function driven(throttle: LoginThrottle) {
  const begin = async (name: string, address: string, device?: string): Promise<LoginAttempt> => {
    const attempt = await throttle.begin(name, address, device);
    assert.ok('end' in attempt, `${name} at ${address} refused: ${JSON.stringify(attempt)}`);
    return attempt;
  };
  return {
    /** Its refusal now, or null (the look ends the attempt it begins). */
    check: async (name: string, address: string, device?: string): Promise<CouchError | null> => {
      const attempt = await throttle.begin(name, address, device);
      if (!('end' in attempt)) return attempt;
      attempt.end();
      return null;
    },
    failed: async (name: string, address: string, device?: string) => (await begin(name, address, device)).failed(),
    succeeded: async (name: string, address: string, device?: string) => (await begin(name, address, device)).succeeded(name),
  };
}

describe('login throttle', () => {
  const limits = { perNameAndAddress: 3, perName: 7, perAddress: 10, windowS: 60, blockS: 60 };

  test('a name is throttled at the address its failures came from, not at others; a success there clears that count', async () => {
    let throttled = 0;
    const throttle = driven(new LoginThrottle(limits, () => throttled++));
    for (let i = 0; i < 2; i++) await throttle.failed('alice', '10.0.0.1');
    assert.equal(await throttle.check('alice', '10.0.0.1'), null);
    await throttle.succeeded('alice', '10.0.0.1');
    for (let i = 0; i < 2; i++) await throttle.failed('alice', '10.0.0.1');
    assert.equal(await throttle.check('alice', '10.0.0.1'), null, 'the success cleared the two before');
    await throttle.failed('alice', '10.0.0.1');
    const refusal = await throttle.check('alice', '10.0.0.1');
    assert.equal(refusal?.status, 429);
    assert.equal(refusal?.error, 'too_many_requests');
    assert.ok(refusal!.retryAfterS! > 0 && refusal!.retryAfterS! <= 60);
    assert.equal(throttled, 1);
    // A stranger's failures lock out the stranger only.
    assert.equal(await throttle.check('alice', '10.0.0.2'), null);
    assert.equal(await throttle.check('bob', '10.0.0.1'), null);
    // A success elsewhere clears nothing here.
    await throttle.succeeded('alice', '10.0.0.2');
    assert.equal((await throttle.check('alice', '10.0.0.1'))?.status, 429);
  });

  test('a name is throttled everywhere once many addresses together reach its cap, and a success does not reopen it', async () => {
    const throttle = driven(new LoginThrottle(limits));
    for (const address of ['10.0.1.1', '10.0.1.2']) for (let i = 0; i < 3; i++) await throttle.failed('alice', address);
    await throttle.succeeded('alice', '10.0.1.9');
    assert.equal(await throttle.check('alice', '10.0.1.9'), null, '6 of 7');
    await throttle.failed('alice', '10.0.1.3');
    assert.equal((await throttle.check('alice', '10.0.1.9'))?.status, 429);
    // Alice herself, on a device she logged in from before (the cap does not stop it).
    await throttle.succeeded('alice', '10.0.1.9', 'tablet');
    assert.equal((await throttle.check('alice', '10.0.1.9'))?.status, 429);
    assert.equal(await throttle.check('bob', '10.0.1.9'), null);
  });

  test('a known device is not stopped by the name’s cap, but by its own count and its name and address one', async () => {
    const throttle = driven(new LoginThrottle(DEFAULT_THROTTLE));
    // 100 failures from 20 addresses: the name is capped everywhere.
    for (let a = 1; a <= 20; a++) for (let i = 0; i < 5; i++) await throttle.failed('alice', `10.0.2.${a}`);
    assert.equal((await throttle.check('alice', '10.0.3.1'))?.status, 429, 'a fresh client');
    assert.equal(await throttle.check('alice', '10.0.3.1', 'tablet'), null, 'alice’s tablet');
    assert.equal((await throttle.check('alice', '10.0.2.1', 'tablet'))?.status, 429, 'not at an address that failed 5 times');
    // Wrong passwords from the tablet: 5 stop it at its address, and everywhere.
    for (let i = 0; i < 5; i++) await throttle.failed('alice', '10.0.3.1', 'tablet');
    assert.equal((await throttle.check('alice', '10.0.3.1', 'tablet'))?.status, 429);
    assert.equal((await throttle.check('alice', '10.0.3.2', 'tablet'))?.status, 429, 'its own count follows the device');
    assert.equal(await throttle.check('alice', '10.0.3.2', 'phone'), null, 'another known device');
  });

  test('checks under way count: a burst of wrong passwords sent at once reaches CouchDB no more often than failures may', async () => {
    const raw = new LoginThrottle(limits);
    const attempts = await Promise.all(Array.from({ length: 20 }, () => raw.begin('alice', '10.0.4.1')));
    const begun = attempts.filter((attempt): attempt is LoginAttempt => 'end' in attempt);
    assert.equal(begun.length, 3, 'as many as failures may come');
    assert.ok(attempts.some((attempt) => !('end' in attempt) && attempt.status === 429));
    // One that ends without a verdict (CouchDB did not answer) gives its place back; a failure uses it up.
    begun[0].end();
    const next = await raw.begin('alice', '10.0.4.1');
    assert.ok('end' in next);
    for (const attempt of [next, ...begun.slice(1)]) await attempt.failed();
    const after = await raw.begin('alice', '10.0.4.1');
    assert.ok(!('end' in after) && after.status === 429);
    // Elsewhere, and other names, are not held back by them.
    const bob = await raw.begin('bob', '10.0.4.1');
    assert.ok('end' in bob);
    bob.end();
  });

  test('an address is throttled across names', async () => {
    const throttle = driven(new LoginThrottle(limits));
    for (let i = 0; i < 10; i++) await throttle.failed(`user${i}`, '10.0.0.9');
    assert.equal((await throttle.check('someone-else', '10.0.0.9'))?.status, 429);
    assert.equal(await throttle.check('someone-else', '10.0.0.8'), null);
  });

  test('an IPv6 client counts by its /64: new addresses in it are the same guesser', async () => {
    const throttle = driven(new LoginThrottle(limits));
    for (let i = 1; i <= 3; i++) await throttle.failed('alice', `2001:db8:1:2::${i}`);
    assert.equal((await throttle.check('alice', '2001:db8:1:2:ffff:1:2:3'))?.status, 429);
    assert.equal(await throttle.check('alice', '2001:db8:1:3::1'), null);
  });
});

describe('what a client address counts as', () => {
  test('IPv4 as itself, also IPv4-mapped; IPv6 by its first 64 bits, however written', () => {
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    for (const address of ['2001:db8:0:5::1', '2001:0db8:0000:0005:aaaa:bbbb:cccc:dddd', '2001:db8:0:5::', '2001:db8:0:5:1::1%eth0']) {
      assert.equal(addressKey(address), '2001:db8:0:5::/64', address);
    }
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey(undefined), '');
  });
});
