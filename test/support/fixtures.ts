import { randomBytes, randomUUID } from 'node:crypto';

export function inspection(user: string, overrides: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    _id: `inspection:${randomUUID()}`,
    type: 'inspection' as const,
    title: 'Boiler room',
    site: 'Plant 4',
    status: 'draft' as const,
    scheduledFor: '2026-11-24',
    checklist: [{ id: 'c1', label: 'Valves', result: null }],
    createdBy: user,
    createdAt: now,
    updatedBy: user,
    updatedAt: now,
    deviceId: 'test-device',
    ...overrides,
  };
}

/** Bytes that start and end like a JPEG, of the given size, unique per call. */
export function fakeJpeg(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  bytes.set([0xff, 0xd9], size - 2);
  return bytes;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
