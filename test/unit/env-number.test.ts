import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { portFromEnv, positiveNumberFromEnv } from '../../domain/env-number';

describe('numeric settings from the environment', () => {
  test('a number above 0, or the fallback when unset or empty', () => {
    assert.equal(positiveNumberFromEnv({ FIELDBOOK_SESSION_DAYS: '7' }, 'FIELDBOOK_SESSION_DAYS', 30), 7);
    assert.equal(positiveNumberFromEnv({ FIELDBOOK_SESSION_DAYS: '0.5' }, 'FIELDBOOK_SESSION_DAYS', 30), 0.5);
    assert.equal(positiveNumberFromEnv({}, 'FIELDBOOK_SESSION_DAYS', 30), 30);
    assert.equal(positiveNumberFromEnv({ FIELDBOOK_SESSION_DAYS: ' ' }, 'FIELDBOOK_SESSION_DAYS', 30), 30);
  });

  test('anything else is refused in one sentence naming the setting and the value', () => {
    for (const bad of ['abc', '0', '-3', 'Infinity', '7 days']) {
      assert.throws(
        () => positiveNumberFromEnv({ FIELDBOOK_SESSION_DAYS: bad }, 'FIELDBOOK_SESSION_DAYS', 30),
        new Error(`FIELDBOOK_SESSION_DAYS must be a number above 0, not "${bad}".`),
      );
    }
  });

  test('a port is a whole number up to 65535; 0 (any free port) only where allowed', () => {
    assert.equal(portFromEnv({ FIELDBOOK_COUCH_PORT: '5985' }, 'FIELDBOOK_COUCH_PORT', 5984), 5985);
    assert.equal(portFromEnv({}, 'FIELDBOOK_COUCH_PORT', 5984), 5984);
    assert.equal(portFromEnv({ PORT: '0' }, 'PORT', 8080, 0), 0);
    for (const bad of ['abc', '0', '80.5', '65536'])
      assert.throws(
        () => portFromEnv({ FIELDBOOK_COUCH_PORT: bad }, 'FIELDBOOK_COUCH_PORT', 5984),
        /^Error: FIELDBOOK_COUCH_PORT must be a port number \(1 to 65535\), not "/,
      );
    assert.throws(() => portFromEnv({ PORT: 'abc' }, 'PORT', 8080, 0), /PORT must be a port number \(0 to 65535\), not "abc"\./);
  });
});
