import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromReplicatorDocs, fromSchedulerDocs, withoutCredentials } from '../../domain/replication-status';

describe('replication status', () => {
  test('CouchDB 3 scheduler docs are normalised, errors only for failing states, local endpoints by name, with progress', () => {
    const jobs = fromSchedulerDocs(
      {
        docs: [
          {
            doc_id: 'fanin-alice',
            source: 'http://admin:*****@couchdb:5984/userdb-616c696365/',
            target: 'http://admin:*****@couchdb:5984/inspections/',
            state: 'running',
            info: { revisions_checked: 12, docs_written: 10, changes_pending: 2 },
            last_updated: '2026-11-23T10:00:00Z',
          },
          {
            doc_id: 'partner-acme',
            source: 'http://couchdb:5984/inspections/',
            target: 'http://couchdb:5984/partner-acme/',
            state: 'crashing',
            info: { error: 'db_not_found: could not open partner-acme' },
          },
          {
            doc_id: 'assign-bob',
            source: 'http://couchdb:5984/inspections/',
            target: 'http://couchdb:5984/userdb-626f62/',
            state: 'failed',
            info: 'unauthorized',
          },
          {
            doc_id: 'from-partner',
            source: 'https://partner.example/db/partner-acme/',
            target: 'http://couchdb:5984/acme%2Fcopy/',
            state: 'running',
            info: { docs_written: 0, changes_pending: null },
          },
        ],
      },
      'http://couchdb:5984',
    );
    assert.deepEqual(jobs, [
      {
        id: 'fanin-alice',
        source: 'userdb-616c696365',
        target: 'inspections',
        state: 'running',
        lastUpdated: '2026-11-23T10:00:00Z',
        docsWritten: 10,
        pending: 2,
      },
      {
        id: 'partner-acme',
        source: 'inspections',
        target: 'partner-acme',
        state: 'crashing',
        error: 'db_not_found: could not open partner-acme',
      },
      { id: 'assign-bob', source: 'inspections', target: 'userdb-626f62', state: 'failed', error: 'unauthorized' },
      { id: 'from-partner', source: 'https://partner.example/db/partner-acme/', target: 'acme/copy', state: 'running', docsWritten: 0 },
    ]);
  });

  test('PouchDB Server replicator docs are normalised to the same states; its design doc is left out', () => {
    const jobs = fromReplicatorDocs({
      rows: [
        { id: '_design/_replicator', doc: {} },
        {
          id: 'fanin-alice',
          doc: {
            source: 'userdb-616c696365',
            target: 'inspections',
            _replication_state: 'triggered',
            _replication_state_time: '2026-11-23T10:00:00Z',
          },
        },
        {
          id: 'pull',
          doc: {
            source: { url: 'http://acme:secret@partner.example/db/partner-acme' },
            target: 'copy',
            _replication_state: 'error',
            _replication_state_reason: 'Name or password is incorrect.',
          },
        },
        { id: 'new', doc: { source: 'a', target: 'b' } },
      ],
    });
    assert.deepEqual(jobs, [
      { id: 'fanin-alice', source: 'userdb-616c696365', target: 'inspections', state: 'running', lastUpdated: '2026-11-23T10:00:00Z' },
      {
        id: 'pull',
        source: 'http://partner.example/db/partner-acme',
        target: 'copy',
        state: 'failed',
        error: 'Name or password is incorrect.',
      },
      { id: 'new', source: 'a', target: 'b', state: 'initializing' },
    ]);
  });

  test('credentials never survive, local names stay as they are', () => {
    assert.equal(withoutCredentials('https://u:p%40ss@host:6984/db'), 'https://host:6984/db');
    assert.equal(withoutCredentials({ url: 'http://u:p@host/db', headers: { Authorization: 'Basic x' } }), 'http://host/db');
    assert.equal(withoutCredentials('inspections'), 'inspections');
  });
});
