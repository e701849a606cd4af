import type { ServerResponse } from 'node:http';

/**
 * Security headers for `/db`: JSON answers no browser should render, frame, embed or send
 * a Referer from. They never vary, so they are fixed here instead of running helmet's dozen
 * middlewares on every replication request (helmet stays for pages, see security-headers.ts).
 */
const API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

export function setApiSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of API_SECURITY_HEADERS) res.setHeader(name, value);
}
