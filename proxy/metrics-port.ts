import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { MetricsSource } from './metrics-source';

/** `/metrics` on its own port, bound to loopback only: for a local Prometheus agent, never the public. */
export async function serveMetrics(port: number, source: MetricsSource): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    source.render().then(
      (text) => res.writeHead(200, { 'content-type': source.contentType, 'cache-control': 'no-store' }).end(text),
      () => res.writeHead(503, { 'retry-after': '5' }).end(),
    );
  }).listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

export const metricsUrlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
