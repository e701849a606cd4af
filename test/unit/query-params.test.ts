import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { liveFeedOf } from '../../proxy/live-feed';
import { readQuery } from '../../proxy/query-params';

const refusal = (rawQuery: string) => {
  const read = readQuery(rawQuery);
  return read instanceof URLSearchParams ? null : read;
};

describe('readQuery', () => {
  test('takes a query every server reads alike, names decoded as they decode them', () => {
    for (const rawQuery of [
      '',
      'feed=continuous&heartbeat=10000&since=now&style=all_docs',
      'filter=_doc_ids&doc_ids=%5B%22a%22%5D',
      '%66eed=continuous',
      'last-event-id=3&seq_interval=10',
      'x=a%3Bb&y=A%5BB%5D',
      '_nonce=1',
    ]) {
      assert.equal(refusal(rawQuery), null, rawQuery);
    }
    assert.equal((readQuery('%66eed=continuous') as URLSearchParams).get('feed'), 'continuous');
  });

  test('refuses a name in capitals: CouchDB reads `_changes` parameters in any letter case', () => {
    for (const [rawQuery, name] of [
      ['FEED=continuous', 'FEED'],
      ['since=now&Feed=longpoll', 'Feed'],
      ['LIMIT=abc', 'LIMIT'],
      ['filter=_doc_ids&FILTER=fieldbook/missing', 'FILTER'],
      ['%46EED=continuous', 'FEED'],
      ['%53tyle=bogus', 'Style'],
      ['KEYS=%5B%5D', 'KEYS'],
    ]) {
      assert.deepEqual(
        refusal(rawQuery),
        { status: 400, error: 'bad_request', reason: `Write query parameter names in lower case: "${name}" is not.` },
        rawQuery,
      );
    }
  });

  test('refuses "[" or "]" in a name: PouchDB Server reads `limit[]` as `limit`', () => {
    for (const [rawQuery, name] of [
      ['limit[]=1.5', 'limit[]'],
      ['limit%5B%5D=1.5', 'limit[]'],
      ['doc_ids[a]=b&filter=_doc_ids', 'doc_ids[a]'],
      ['keys[0]=_local%2Fx', 'keys[0]'],
      ['open_revs]=all', 'open_revs]'],
    ]) {
      assert.deepEqual(
        refusal(rawQuery),
        { status: 400, error: 'bad_request', reason: `Query parameter names cannot contain "[" or "]": "${name}" does.` },
        rawQuery,
      );
    }
  });

  test('still refuses a name given twice and ";" between parameters', () => {
    assert.equal(refusal('feed=normal&feed=continuous')?.reason, 'The query names "feed" more than once.');
    assert.equal(refusal('feed=normal&%66eed=continuous')?.reason, 'The query names "feed" more than once.');
    assert.match(refusal('x=1;feed=continuous')?.reason ?? '', /";"/);
  });
});

describe('liveFeedOf', () => {
  const feedOf = (path: string, rawQuery: string) => liveFeedOf(path, readQuery(rawQuery) as URLSearchParams);

  test('reads the feed CouchDB holds open, with its heartbeat and timeout', () => {
    assert.deepEqual(feedOf('/db/_changes', 'feed=live&heartbeat=1000'), { kind: 'continuous', heartbeatMs: 1000, timeoutMs: null });
    assert.deepEqual(feedOf('/db/%5Fchanges', 'feed=longpoll&timeout=5000'), { kind: 'longpoll', heartbeatMs: null, timeoutMs: 5000 });
    assert.deepEqual(feedOf('/db/_changes', 'feed=eventsource&heartbeat=true'), {
      kind: 'eventsource',
      heartbeatMs: 60_000,
      timeoutMs: null,
    });
    assert.equal(feedOf('/db/_changes', 'feed=normal'), null);
    assert.equal(feedOf('/db/_all_docs', 'feed=continuous'), null);
  });
});
