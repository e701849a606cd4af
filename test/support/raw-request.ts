import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { request, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

/** A response as the wire carried it: the body's bytes as sent (fetch would decompress them). */
export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Uint8Array;
}

/**
 * One HTTP request on a fresh connection, path sent byte for byte (fetch would normalise
 * dot segments and encodings, and reuse sockets a restarted server has closed).
 */
export function wireRequest(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<WireResponse>((resolve, reject) => {
    const req = request({ hostname, port, method, path, agent: false, headers }, (res) => {
      const chunks: Uint8Array[] = [];
      res.on('data', (chunk: Uint8Array) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes: new Uint8Array(Buffer.concat(chunks)) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A response's body as text, undoing the compression (brotli or gzip) it came with. */
export function wireText({ headers, bytes }: WireResponse): string {
  const encoding = headers['content-encoding'];
  const raw = encoding === 'br' ? brotliDecompressSync(bytes) : encoding === 'gzip' ? gunzipSync(bytes) : bytes;
  return new TextDecoder().decode(raw);
}

/** `wireRequest` with a JSON body, its answer as text. */
export async function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const response = await wireRequest(baseUrl, method, path, { 'content-type': 'application/json', ...headers }, body);
  return { status: response.status, body: wireText(response) };
}

/**
 * A request as fetch makes it, sent from another loopback address (`from`, 127.0.0.x): a client
 * elsewhere, as the proxy sees it (fetch cannot choose its source address). On a fresh connection.
 */
export function fetchFrom(from: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise<Response>((resolve, reject) => {
    const req = request(
      { hostname, port, method: init.method ?? 'GET', path: pathname + search, localAddress: from, agent: false, headers: init.headers },
      (res) => {
        const chunks: Uint8Array[] = [];
        res.on('data', (chunk: Uint8Array) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? '']) headers.append(name, one);
          }
          resolve(new Response(new Uint8Array(Buffer.concat(chunks)), { status: res.statusCode!, headers }));
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * When a socket spoken to by hand is closed, however: cut by a reset (a server that closes with
 * bytes it has not read, which a trickling client keeps sending) as well as ended. `events.once`
 * would reject on the reset's error.
 */
export function socketClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/**
 * A POST that declares a body of `declared` bytes and sends only `sent` of it, then nothing, on
 * its own connection: `closed` resolves with what came back once the proxy closes it.
 */
export async function stalledPost(baseUrl: string, path: string, headers: Record<string, string>, declared: number, sent: string) {
  const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => undefined);
  const closed = socketClosed(socket).then(() => received);
  const lines = Object.entries({ Host: '127.0.0.1', 'Content-Type': 'application/json', ...headers, 'Content-Length': String(declared) });
  const head = `POST ${path} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  await new Promise<void>((resolve) => socket.write(head + sent, () => resolve()));
  return { closed, close: () => socket.destroy(), port: socket.localPort!, bytes: Buffer.byteLength(head + sent) };
}

/** What came back on a connection whose body stopped or trickled: 408 `request_timeout`, and the connection closed. */
export function assertBodyTimedOut(received: string, what?: string): void {
  assert.match(received, /^HTTP\/1\.1 408 /, what);
  assert.match(received, /\r\nconnection: close\r\n/i, what);
  assert.equal((JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)) as { error: string }).error, 'request_timeout', what);
}
