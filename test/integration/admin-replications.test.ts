import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { splitCredentials } from '../../couch/couch-admin';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', acme: 'partner', ada: 'admin' });
});
after(() => stack?.stop());

interface Job {
  id: string;
  source: string;
  target: string;
  state: string;
  error?: string;
  lastUpdated?: string;
}

const jobsAs = (cookie: string) => fetch(`${stack.proxy.url}/api/admin/replications`, { headers: { cookie } });

describe('GET /api/admin/replications', () => {
  test('an admin sees every job with its state, and never a credential', async () => {
    const ada = await loginCookie(stack.proxy.url, 'ada');
    const jobs = await waitFor(
      async () => {
        const response = await jobsAs(ada);
        assert.equal(response.status, 200);
        const list = (await response.json()) as Job[];
        return list.length === 5 && list.every((job) => job.state === 'running') && list;
      },
      60_000,
      'all jobs running',
    );
    assert.deepEqual(jobs.map((job) => job.id).sort(), ['assign-ada', 'assign-alice', 'fanin-ada', 'fanin-alice', 'partner-acme']);
    const partner = jobs.find((job) => job.id === 'partner-acme')!;
    assert.deepEqual([partner.source, partner.target], ['inspections', 'partner-acme']);
    assert.ok(partner.lastUpdated && !Number.isNaN(Date.parse(partner.lastUpdated)));
    const { password } = splitCredentials(stack.couch.adminUrl);
    assert.ok(!JSON.stringify(jobs).includes(password));
  });

  test('a failed job reports its error', async () => {
    // Wrong credentials: a replicator gives up at once on a 401.
    const source = `${stack.couch.url.replace('://', '://intruder:wrong-secret@')}/inspections`;
    // Endpoints as URLs: CouchDB 3 refuses local database names.
    await stack.admin.use('_replicator').insert({ _id: 'broken', source, target: `${stack.couch.url}/inspections` } as never);
    const ada = await loginCookie(stack.proxy.url, 'ada');
    const broken = await waitFor(
      // PouchDB Server gives up ("failed"); CouchDB's scheduler keeps retrying with backoff ("crashing").
      async () =>
        ((await (await jobsAs(ada)).json()) as Job[]).find((job) => job.id === 'broken' && ['failed', 'crashing'].includes(job.state)),
      60_000,
      'the broken job to fail',
    );
    assert.match(broken.error ?? '', /not authorized|unauthorized|incorrect/i, JSON.stringify(broken));
    assert.match(broken.source, /inspections\/?$/);
    assert.ok(!JSON.stringify(broken).includes('wrong-secret'));
  });

  test('others are refused', async () => {
    const alice = await jobsAs(await loginCookie(stack.proxy.url, 'alice'));
    assert.equal(alice.status, 403);
    assert.deepEqual(Object.keys(await alice.json()).sort(), ['error', 'reason']);
    assert.equal((await fetch(`${stack.proxy.url}/api/admin/replications`)).status, 401);
  });

  test('others are refused whatever the method, also with a trailing slash', async () => {
    const alice = await loginCookie(stack.proxy.url, 'alice');
    for (const method of ['GET', 'HEAD', 'OPTIONS'])
      for (const path of ['/api/admin/replications', '/api/admin/replications/']) {
        const asAlice = await fetch(`${stack.proxy.url}${path}`, { method, headers: { cookie: alice } });
        const anonymous = await fetch(`${stack.proxy.url}${path}`, { method });
        assert.deepEqual([asAlice.status, anonymous.status], [403, 401], `${method} ${path}`);
        if (method !== 'HEAD') assert.equal(((await asAlice.json()) as { error: string }).error, 'forbidden', `${method} ${path}`);
      }
  });
});
