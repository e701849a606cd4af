import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CouchAdmin } from '../../couch/couch-admin';
import { handOver } from '../../proxy/hub-records';

/** A server whose every request fails with `statusCode`. */
const failingWith = (statusCode: number) =>
  ({
    request: async () => {
      throw Object.assign(new Error(`answered ${statusCode}`), { statusCode });
    },
  }) as unknown as CouchAdmin;

const handover = {
  to: 'bob',
  leaves: new Map([
    ['defect:1', ['1-a']],
    ['photo:defect:1:a.jpg', ['1-b']],
  ]),
};

test('a handover the server turns down for good is reported document by document and does not stall the next; a passing failure is thrown to be retried', async () => {
  const refused: string[] = [];
  assert.equal(await handOver(failingWith(413), handover, (id) => refused.push(id)), 0);
  assert.deepEqual(refused, ['defect:1', 'photo:defect:1:a.jpg']);
  assert.equal(await handOver(failingWith(404), handover, () => assert.fail('not a refusal')), null);
  await assert.rejects(
    handOver(failingWith(503), handover, () => assert.fail('not a refusal')),
    /answered 503/,
  );
});
