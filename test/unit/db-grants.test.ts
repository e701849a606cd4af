import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { userDbName } from '../../domain/user-db-name';
import { decide } from '../../proxy/access-policy';
import { grantsFor } from '../../proxy/db-grants';

const grants = (name: string, roles: string[]) => Object.fromEntries(grantsFor({ name, roles }));
const check = (method: string, path: string, name: string, roles: string[]) =>
  decide(method, path, new URLSearchParams(), grantsFor({ name, roles }));

describe('database grants by role', () => {
  test('an inspector has their own database only', () => {
    assert.deepEqual(grants('alice', ['inspector']), { [userDbName('alice')]: 'readwrite' });
  });

  test('supervisors and admins also work in the hub', () => {
    assert.deepEqual(grants('sam', ['supervisor']), { [userDbName('sam')]: 'readwrite', inspections: 'readwrite' });
    assert.deepEqual(grants('ada', ['_admin', 'admin']), { [userDbName('ada')]: 'readwrite', inspections: 'readwrite' });
  });

  test('a partner reads their partner database and nothing else', () => {
    assert.deepEqual(grants('acme', ['partner']), { 'partner-acme': 'read' });
    assert.equal(check('GET', '/partner-acme/_changes', 'acme', ['partner']).allow, true);
    assert.equal(check('PUT', '/partner-acme/_local/0123456789abcdef0123456789abcdef+continuous', 'acme', ['partner']).allow, true);
    for (const [method, path] of [
      ['POST', '/partner-acme/_bulk_docs'],
      ['PUT', '/partner-acme/inspection%3A1'],
      ['GET', '/partner-other'],
      ['GET', '/inspections'],
      ['GET', `/${userDbName('acme')}`],
      ['GET', `/${userDbName('alice')}`],
    ]) {
      assert.equal(check(method, path, 'acme', ['partner']).allow, false, `${method} ${path}`);
    }
  });

  test('inspectors cannot reach the hub; users without a Fieldbook role reach nothing', () => {
    assert.equal(check('GET', '/inspections/_changes', 'alice', ['inspector']).allow, false);
    assert.deepEqual(grants('mallory', []), {});
    assert.deepEqual(grants('mallory', ['something-else']), {});
  });
});
