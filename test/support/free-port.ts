import { createServer, type AddressInfo } from 'node:net';

/**
 * `count` distinct free ports on 127.0.0.1, held together while they are picked: one picked
 * after another was let go may be the same one (a CouchDB given it for HTTP and distribution
 * alike never answered, and its test waited 90 s to fail).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
