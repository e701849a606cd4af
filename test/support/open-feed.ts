import { request } from 'node:http';

export interface OpenFeed {
  status: number;
  /** Settles when the connection closes, whoever closed it. */
  ended: Promise<void>;
  /** Everything received so far. */
  text(): string;
  close(): void;
}

/** Opens a live feed with these headers (cookie or authorization) and resolves once its response headers arrive. */
export function openFeed(baseUrl: string, path: string, headers: Record<string, string>): Promise<OpenFeed> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, agent: false, headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('error', () => undefined);
      const ended = new Promise<void>((settle) => response.on('close', settle));
      resolve({ status: response.statusCode!, ended, text: () => text, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves true if the promise settles within `ms`, false otherwise (the timer never outlives it). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
