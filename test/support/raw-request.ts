import { request, type IncomingHttpHeaders } from 'node:http';

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

/** `wireRequest` with a JSON body, its answer as text. */
export async function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const { status, bytes } = await wireRequest(baseUrl, method, path, { 'content-type': 'application/json', ...headers }, body);
  return { status, body: new TextDecoder().decode(bytes) };
}
