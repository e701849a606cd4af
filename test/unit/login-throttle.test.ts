import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoginThrottle } from '../../proxy/login-throttle';

describe('login throttle', () => {
  const limits = { perName: 3, perAddress: 5, windowS: 60, blockS: 60 };

  test('a name is throttled after its failures, a successful login clears it', async () => {
    let throttled = 0;
    const throttle = new LoginThrottle(limits, () => throttled++);
    for (let i = 0; i < 2; i++) await throttle.failed('alice', '10.0.0.1');
    assert.equal(await throttle.check('alice', '10.0.0.1'), null);
    await throttle.succeeded('alice');
    for (let i = 0; i < 2; i++) await throttle.failed('alice', '10.0.0.1');
    assert.equal(await throttle.check('alice', '10.0.0.2'), null);
    await throttle.failed('alice', '10.0.0.1');
    const refusal = await throttle.check('alice', '10.0.0.2');
    assert.equal(refusal?.status, 429);
    assert.equal(refusal?.error, 'too_many_requests');
    assert.ok(refusal!.retryAfterS! > 0 && refusal!.retryAfterS! <= 60);
    assert.equal(throttled, 1);
    assert.equal(await throttle.check('bob', '10.0.0.2'), null);
  });

  test('an address is throttled across names', async () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 5; i++) await throttle.failed(`user${i}`, '10.0.0.9');
    assert.equal((await throttle.check('someone-else', '10.0.0.9'))?.status, 429);
    assert.equal(await throttle.check('someone-else', '10.0.0.8'), null);
  });
});
