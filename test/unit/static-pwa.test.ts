import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { staticPwa } from '../../proxy/static-pwa';
import { wireRequest, wireText } from '../support/raw-request';

describe('the PWA as the proxy serves it', () => {
  // Sizes of a real build's files: a script well over the compression threshold, a small one under it.
  const script = `export const rows = ${JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, label: `row ${i}` })))};\n`;
  const shell = `<!doctype html><html><head><title>Fieldbook</title>${'<link rel="modulepreload" href="chunk.js">'.repeat(40)}</head><body><app-root></app-root></body></html>`;
  let dir: string;
  let server: Server;
  let baseUrl: string;
  // Node's fetch would undo the compression these tests are about.
  const get = (path: string, headers: Record<string, string>) => wireRequest(baseUrl, 'GET', path, headers);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldbook-static-'));
    await writeFile(join(dir, 'main-ABCDEFGH.js'), script);
    await writeFile(join(dir, 'tiny-ABCDEFGH.js'), 'export {};\n');
    await writeFile(join(dir, 'index.html'), shell);
    await writeFile(join(dir, 'ngsw.json'), '{}');
    await writeFile(join(dir, 'icon-maskable.png'), 'not really a png');
    const app = express();
    app.use(staticPwa(dir));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a script goes brotli-compressed to a browser that accepts it, still cached as immutable', async () => {
    const res = await get('/main-ABCDEFGH.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'br');
    assert.match(String(res.headers['vary']), /accept-encoding/i);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.equal(wireText(res), script);
    assert.ok(res.bytes.length < script.length / 3, `${res.bytes.length} bytes on the wire for ${script.length}`);
  });

  test('gzip for a client without brotli; the file as it is for one that accepts no encoding', async () => {
    const gzipped = await get('/main-ABCDEFGH.js', { 'accept-encoding': 'gzip' });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.equal(wireText(gzipped), script);

    const plain = await get('/main-ABCDEFGH.js', { 'accept-encoding': 'identity' });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(wireText(plain), script);
  });

  test("a client-side route gets the app shell compressed, never from a cache; a tiny file isn't worth compressing", async () => {
    const page = await get('/inspections/inspection:1', { accept: 'text/html', 'accept-encoding': 'br' });
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-encoding'], 'br');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal(wireText(page), shell);

    const tiny = await get('/tiny-ABCDEFGH.js', { 'accept-encoding': 'br' });
    assert.equal(tiny.headers['content-encoding'], undefined);
    assert.equal(wireText(tiny), 'export {};\n');
  });

  test('only what the builder hashed is cached for good: the files that name a release are always asked for again', async () => {
    const cacheControl = async (path: string) => (await get(path, {})).headers['cache-control'];
    assert.equal(await cacheControl('/tiny-ABCDEFGH.js'), 'public, max-age=31536000, immutable');
    assert.equal(await cacheControl('/icon-maskable.png'), 'public, max-age=3600');
    assert.equal(await cacheControl('/ngsw.json'), 'no-cache');
    assert.equal(await cacheControl('/index.html'), 'no-cache');
  });
});
