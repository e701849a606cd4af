import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { adminCouchUrl, embeddedCouchLocation } from '../../couch/admin-url';

describe('the admin URL tools use', () => {
  test('COUCH_URL wins', () => {
    assert.equal(adminCouchUrl({ COUCH_URL: 'http://a:b@couch:5984' }), 'http://a:b@couch:5984');
  });

  test('otherwise the embedded server of `npm start`, from the credentials in its data dir', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fieldbook-admin-url-'));
    try {
      const env = { FIELDBOOK_DATA_DIR: dataDir, FIELDBOOK_COUCH_PORT: '5999' };
      assert.deepEqual(embeddedCouchLocation(env), { dataDir: join(dataDir, 'couch'), port: 5999 });
      assert.throws(() => adminCouchUrl(env), /COUCH_URL is not set/);
      mkdirSync(join(dataDir, 'couch'));
      writeFileSync(join(dataDir, 'couch', 'admin-credentials.json'), JSON.stringify({ name: 'couchdb-admin', password: 'p@ss/word' }));
      assert.equal(adminCouchUrl(env), 'http://couchdb-admin:p%40ss%2Fword@127.0.0.1:5999');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a port that is no port is named in one sentence', () => {
    assert.throws(() => embeddedCouchLocation({ FIELDBOOK_COUCH_PORT: 'abc' }), /^Error: FIELDBOOK_COUCH_PORT must be a port number/);
  });

  test('the default is .data/couch beside the sources, port 5984', () => {
    const { dataDir, port } = embeddedCouchLocation({});
    assert.match(dataDir, /\/\.data\/couch$/);
    assert.equal(port, 5984);
  });
});
