import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { clientAddressOf, parseTrustedProxies } from '../../proxy/client-address';

const request = (remoteAddress: string | undefined, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as IncomingMessage;

describe("a request's client address", () => {
  test("without trusted proxies is the connection's, whatever X-Forwarded-For says", () => {
    const of = clientAddressOf([]);
    assert.equal(of(request('198.51.100.4', '203.0.113.9')), '198.51.100.4');
    assert.equal(of(request('::ffff:198.51.100.4')), '198.51.100.4');
    assert.equal(of(request(undefined)), undefined);
  });

  test('behind a trusted proxy is the entry it added, read from the right past every trusted hop', () => {
    const of = clientAddressOf(['10.0.0.0/8', '::1']);
    assert.equal(of(request('10.1.2.3', '203.0.113.9')), '203.0.113.9');
    assert.equal(of(request('::ffff:10.1.2.3', '203.0.113.9')), '203.0.113.9');
    // What the client sent itself stays to the left of the address the trusted proxy saw.
    assert.equal(of(request('10.1.2.3', '192.0.2.66, 203.0.113.9')), '203.0.113.9');
    // Two trusted hops (a load balancer, then a TLS terminator).
    assert.equal(of(request('::1', '203.0.113.9, 10.9.9.9')), '203.0.113.9');
    assert.equal(of(request('10.1.2.3', '2001:db8::7')), '2001:db8::7');
  });

  test("from an untrusted address, or without a usable header, is the connection's", () => {
    const of = clientAddressOf(['10.0.0.0/8']);
    assert.equal(of(request('198.51.100.4', '203.0.113.9')), '198.51.100.4');
    assert.equal(of(request('10.1.2.3')), '10.1.2.3');
    assert.equal(of(request('10.1.2.3', 'unknown')), '10.1.2.3');
    assert.equal(of(request('10.1.2.3', '')), '10.1.2.3');
  });
});

describe('FIELDBOOK_TRUSTED_PROXIES', () => {
  test('lists addresses and CIDR ranges, separated by commas; none when unset', () => {
    assert.deepEqual(parseTrustedProxies(' 10.0.0.0/8, ::1 ,172.16.0.5,'), ['10.0.0.0/8', '::1', '172.16.0.5']);
    assert.deepEqual(parseTrustedProxies(undefined), []);
    assert.deepEqual(parseTrustedProxies(''), []);
  });

  test('refuses anything else in one sentence', () => {
    for (const bad of ['proxy.local', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129', '10.0.0.0/x']) {
      assert.throws(() => parseTrustedProxies(bad), /^Error: FIELDBOOK_TRUSTED_PROXIES must list addresses or CIDR ranges/, bad);
    }
  });
});
