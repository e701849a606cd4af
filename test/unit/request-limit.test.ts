import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { couchAdmin } from '../../couch/couch-admin';
import { limitedDispatcher, noAnswerSentence, requestTimeoutMs } from '../../couch/request-limit';

describe('the CLIs request limit', () => {
  test('30 s unless FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS says otherwise; a bad value is one sentence', () => {
    assert.equal(requestTimeoutMs({}), 30_000);
    assert.equal(requestTimeoutMs({ FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS: '120000' }), 120_000);
    assert.throws(() => requestTimeoutMs({ FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS: '0' }), {
      message: 'FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS must be a number above 0, not "0".',
    });
  });

  test('the sentence names the server and the limit, never the credentials', () => {
    assert.equal(
      noAnswerSentence('http://admin:s%40cret@couch.example:5984', 30_000),
      'CouchDB at http://couch.example:5984 did not answer within 30 s (FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS sets how long to wait).',
    );
  });

  test('a request past the limit calls onTimeout and fails; one in time is answered as usual', async () => {
    const server = createServer((request, response) => {
      if (request.url === '/fast') response.setHeader('content-type', 'application/json').end('{"ok":true}');
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const timeouts: string[] = [];
      const { port } = server.address() as { port: number };
      const couch = couchAdmin(`http://admin:secret@127.0.0.1:${port}`, {
        dispatcher: limitedDispatcher(200, () => void timeouts.push('timeout')),
      });
      assert.deepEqual(await couch.request({ path: 'fast' }), { ok: true });
      await assert.rejects(couch.request({ path: 'slow' }), /error happened in your connection/);
      assert.deepEqual(timeouts, ['timeout']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
