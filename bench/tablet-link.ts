import type { Page } from '@playwright/test';

/** A tablet's network link: what `--link DOWN/UP/RTT` asks for (Mbit/s, Mbit/s, ms). */
export interface TabletLink {
  downMbps: number;
  upMbps: number;
  latencyMs: number;
}

export function parseLink(spec: string): TabletLink {
  const [downMbps, upMbps, latencyMs] = spec.split('/').map(Number);
  if (![downMbps, upMbps, latencyMs].every((value) => Number.isFinite(value) && value > 0))
    throw new Error(`--link wants DOWN/UP/RTT in Mbit/s, Mbit/s and ms (e.g. 10/5/50), not "${spec}"`);
  return { downMbps, upMbps, latencyMs };
}

export const describeLink = ({ downMbps, upMbps, latencyMs }: TabletLink) =>
  `${downMbps} Mbit/s down, ${upMbps} Mbit/s up, ${latencyMs} ms round trip`;

/**
 * Puts every request of `page` on `link` for the page's life, with Chromium's own network
 * emulation: it paces the bytes as the wire carries them, compressed or not, so a compressed
 * answer arrives sooner as it would on a tablet.
 */
export async function emulateLink(page: Page, link: TabletLink): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: link.latencyMs,
    downloadThroughput: (link.downMbps * 1e6) / 8,
    uploadThroughput: (link.upMbps * 1e6) / 8,
  });
}
