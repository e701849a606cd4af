import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { DeviceCookies } from '../../proxy/device-cookie';

const newKey = () => createSecretKey(randomBytes(32).toString('base64'), 'base64');

describe('device cookies', () => {
  const key = newKey();
  const devices = new DeviceCookies(async () => key, 60_000);

  test('name the device they were issued to, for that name only', async () => {
    const [first, second] = [await devices.issue('alice'), await devices.issue('alice')];
    const device = await devices.deviceOf(first, 'alice');
    assert.ok(device);
    assert.notEqual(await devices.deviceOf(second, 'alice'), device, 'each login its own device id');
    assert.equal(await devices.deviceOf(first, 'bob'), null);
    assert.ok(await devices.deviceOf(await devices.issue('a.b'), 'a.b'), 'a name with a dot');
  });

  test('are refused changed, expired, signed with another key, or not one at all', async () => {
    const cookie = await devices.issue('alice');
    const [name, device, expires, mac] = cookie.split('.') as [string, string, string, string];
    const bob = Buffer.from('bob').toString('base64url');
    for (const changed of [
      `${bob}.${device}.${expires}.${mac}`,
      `${name}.x${device}.${expires}.${mac}`,
      `${name}.${device}.${Number(expires) + 1}.${mac}`,
      `${name}.${device}.${expires}.${mac.slice(0, -2)}`,
      `${name}.${device}.${expires}`,
      '',
      undefined,
    ]) {
      assert.equal(await devices.deviceOf(changed, 'alice'), null, changed);
    }
    assert.equal(await devices.deviceOf(cookie, 'alice', Date.now() + 61_000), null, 'expired');
    assert.equal(await new DeviceCookies(async () => newKey()).deviceOf(cookie, 'alice'), null, 'another key');
  });
});
