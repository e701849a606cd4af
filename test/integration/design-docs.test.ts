import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { transformSync } from 'esbuild';
import { ensureDatabase, ensureDesignDoc, ensureFieldbookDesign, ensureSecurity } from '../../couch/database-setup';
import { fieldbookDesignDoc, readOnlyDesignDoc } from '../../couch/design-docs';
import { membersOnly } from '../../couch/security';
import { docViolations } from '../../domain/doc-rules';
import { MANGO_INDEXES, RETIRED_MANGO_INDEXES } from '../../domain/mango-indexes';
import { basicAuth, startTestStack, type TestStack } from '../support/couch-harness';
import { defect, inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { newPhotoDoc } from '../../domain/photo-doc';

/*
 * Every design document saved on the real server, and each of its functions run there: CouchDB
 * 3.4 compiles design functions when they are saved (QuickJS here, SpiderMonkey in the
 * official image), so a function it cannot take fails the save, not a later write. These are
 * the built artefacts the bootstrap installs (dist/couch/design/*.json, rebuilt here when
 * stale; test/unit/design-artefacts.test.ts checks they match their sources).
 */
let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', sam: 'supervisor' });
});
after(() => stack?.stop());

const DESIGN_DOCS = [fieldbookDesignDoc(), readOnlyDesignDoc()];

/** Each function's source as CouchDB stores it. */
function functionSources(doc: Record<string, unknown>): [string, string][] {
  const sources: [string, string][] = [];
  if (typeof doc['validate_doc_update'] === 'string') sources.push(['validate_doc_update', doc['validate_doc_update']]);
  for (const [name, view] of Object.entries((doc['views'] ?? {}) as Record<string, { map: string }>))
    sources.push([`views.${name}.map`, view.map]);
  return sources;
}

async function scratchDb(name: string, designDoc: { _id: string }) {
  await ensureDatabase(stack.admin, name);
  await ensureSecurity(stack.admin, name, membersOnly(['alice', 'sam']));
  await ensureDesignDoc(stack.admin, name, designDoc);
  return `${stack.couch.url}/${name}`;
}

const as =
  (user: string) =>
  (url: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { authorization: basicAuth(user), 'content-type': 'application/json', ...init.headers } });
const asAlice = as('alice');

describe('design documents', () => {
  test('every function is a plain ES5 function expression, as every CouchDB engine takes it', () => {
    for (const doc of DESIGN_DOCS) {
      for (const [where, source] of functionSources(doc as never)) {
        assert.match(source, /^function \(/, `${doc._id} ${where} is anonymous`);
        assert.doesNotThrow(() => transformSync(`(${source})`, { target: 'es5', loader: 'js' }), `${doc._id} ${where} is ES5`);
      }
    }
  });

  test('the Fieldbook design document is accepted and its validation runs the shared rules', async () => {
    const db = await scratchDb('design-fieldbook', fieldbookDesignDoc());
    const valid = inspection('alice');
    assert.equal((await asAlice(`${db}/${encodeURIComponent(valid._id)}`, { method: 'PUT', body: JSON.stringify(valid) })).status, 201);

    const invalid = inspection('alice', { title: '', severity: 9 });
    const refused = await asAlice(`${db}/${encodeURIComponent(invalid._id)}`, { method: 'PUT', body: JSON.stringify(invalid) });
    assert.equal(refused.status, 403);
    const [expected] = docViolations(invalid as never, null, { name: 'alice', roles: ['inspector'] });
    assert.deepEqual(await refused.json(), { error: 'forbidden', reason: expected });

    // A deletion carrying a body (which replicates with it: `partners` to a partner's database) is refused, a plain one taken.
    const stored = (await (await asAlice(`${db}/${encodeURIComponent(valid._id)}`)).json()) as { _rev: string };
    const deletion = { _id: valid._id, _rev: stored._rev, _deleted: true, updatedBy: 'alice' };
    const shared = await asAlice(`${db}/_bulk_docs`, {
      method: 'POST',
      body: JSON.stringify({ docs: [{ ...deletion, partners: ['acme'] }] }),
    });
    assert.match(JSON.stringify(await shared.json()), /partners: a deletion carries only/);
    const plain = await asAlice(`${db}/_bulk_docs`, { method: 'POST', body: JSON.stringify({ docs: [deletion] }) });
    assert.equal(((await plain.json()) as { ok?: boolean }[])[0].ok, true);

    // An image past its bound, whichever way the server shows it to the rules (CouchDB: a length; PouchDB Server: base64).
    const thumbnail = (bytes: number) => ({ content_type: 'image/jpeg', data: Buffer.alloc(bytes, 1).toString('base64') });
    const found = defect('alice', valid._id, { _attachments: { 'thumb-a.jpg': thumbnail(1024 * 1024 + 1) } });
    const large = await asAlice(`${db}/${encodeURIComponent(found._id)}`, { method: 'PUT', body: JSON.stringify(found) });
    assert.equal(large.status, 403);
    assert.deepEqual(await large.json(), { error: 'forbidden', reason: '_attachments: thumb-a.jpg must be at most 1 MB' });
    const small = await asAlice(`${db}/${encodeURIComponent(found._id)}`, {
      method: 'PUT',
      body: JSON.stringify({ ...found, _attachments: { 'thumb-a.jpg': thumbnail(50_000) } }),
    });
    assert.equal(small.status, 201, await small.text());
  });

  test('a supervisor shares a full-size photo with partners, and cannot change its image doing so', async () => {
    const db = await scratchDb('design-photo-share', fieldbookDesignDoc());
    const asSam = as('sam');
    const image = (contentType: string, text: string) => ({
      full: { content_type: contentType, data: Buffer.from(text).toString('base64') },
    });
    const photo = newPhotoDoc(
      { defectId: `defect:${crypto.randomUUID()}`, createdBy: 'alice', createdAt: new Date().toISOString(), deviceId: 'd' },
      'p1.jpg',
      image('image/jpeg', 'jpeg bytes').full,
    );
    const url = `${db}/${encodeURIComponent(photo._id)}`;
    assert.equal((await asAlice(url, { method: 'PUT', body: JSON.stringify(photo) })).status, 201);
    const stored = (await (await asSam(url)).json()) as Record<string, unknown>;
    // CouchDB shows the rules a new inline image as a stub of its own: it must be the stored one.
    const swapped = await asSam(url, {
      method: 'PUT',
      body: JSON.stringify({ ...stored, partners: ['acme'], _attachments: image('text/html', '<script>x</script>') }),
    });
    assert.equal(swapped.status, 403, await swapped.text());
    const shared = await asSam(url, { method: 'PUT', body: JSON.stringify({ ...stored, partners: ['acme'] }) });
    assert.equal(shared.status, 201, await shared.text());
  });

  test('a bulk write answers in the order of its documents, a refused one in its place, as CouchDB does', async () => {
    // PouchDB Server answered refusals first and the rest in the order their checks finished:
    // a client pairing answers with its documents by position took one's revision for another's.
    const db = await scratchDb('design-bulk-order', fieldbookDesignDoc());
    const docs = [
      inspection('alice'),
      inspection('alice', { title: '' }),
      inspection('alice'),
      inspection('alice'),
      inspection('alice', { title: '' }),
    ];
    const answer = await asAlice(`${db}/_bulk_docs`, { method: 'POST', body: JSON.stringify({ docs }) });
    assert.equal(answer.status, 201);
    const results = (await answer.json()) as { id: string; ok?: boolean; error?: string }[];
    assert.deepEqual(
      results.map(({ id, ok, error }) => [id, ok ? 'ok' : error]),
      docs.map(({ _id, title }) => [_id, title ? 'ok' : 'forbidden']),
    );
  });

  test('the conflicts view lists a document with conflicting revisions', async () => {
    const db = await scratchDb('design-conflicts', fieldbookDesignDoc());
    const doc = inspection('alice');
    const body = {
      new_edits: false,
      docs: [
        { ...doc, _rev: '1-aaaa' },
        { ...doc, title: 'Other', _rev: '1-bbbb' },
      ],
    };
    await stack.admin.request({ method: 'POST', path: 'design-conflicts/_bulk_docs', body });
    const view = (await (await asAlice(`${db}/_design/fieldbook/_view/conflicts?reduce=false`)).json()) as {
      rows: { id: string; value: { conflicts: string[] } }[];
    };
    assert.deepEqual(
      view.rows.map((row) => [row.id, row.value.conflicts]),
      [[doc._id, ['1-aaaa']]],
    );
  });

  test('the Fieldbook design installs the current Mango indexes and deletes a retired one an older release created', async () => {
    const name = 'design-indexes';
    await ensureDatabase(stack.admin, name);
    for (const { fields, ddoc, name: indexName } of RETIRED_MANGO_INDEXES)
      await stack.admin.request({
        method: 'POST',
        path: `${name}/_index`,
        body: { index: { fields }, ddoc, name: indexName, type: 'json' },
      });
    const indexes = async () =>
      ((await stack.admin.request({ path: `${name}/_index` })) as { indexes: { ddoc: string | null; name: string }[] }).indexes
        .filter((index) => index.ddoc)
        .map((index) => `${index.ddoc}/${index.name}`)
        .sort();
    // CouchDB lists indexes from its design-document cache (mango_idx:list, ddoc_cache), which
    // hears of a design document's write a moment after it: the list catches up, it is not read back at once.
    const lists = (wanted: string[]) => async () => JSON.stringify(await indexes()) === JSON.stringify(wanted);
    await waitFor(
      lists(RETIRED_MANGO_INDEXES.map((index) => `_design/${index.ddoc}/${index.name}`).sort()),
      10_000,
      'the old indexes listed',
    );

    await ensureFieldbookDesign(stack.admin, name);
    const current = MANGO_INDEXES.map((index) => `_design/${index.ddoc}/${index.name}`).sort();
    const listsCurrent = lists(current);
    await waitFor(listsCurrent, 10_000, 'the current indexes listed');
    // Idempotent: a second bootstrap finds nothing to do.
    await ensureFieldbookDesign(stack.admin, name);
    await waitFor(listsCurrent, 10_000, 'the current indexes listed after a second bootstrap');
    assert.deepEqual(await indexes(), current);
  });

  test('the read-only design document refuses members and lets the server admin write', async () => {
    const db = await scratchDb('design-read-only', readOnlyDesignDoc());
    const doc = inspection('alice');
    const refused = await asAlice(`${db}/${encodeURIComponent(doc._id)}`, { method: 'PUT', body: JSON.stringify(doc) });
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { error: 'forbidden', reason: 'This database is read-only.' });
    await stack.admin.use('design-read-only').insert(doc as never);
  });
});
