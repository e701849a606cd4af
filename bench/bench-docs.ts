import { inspection } from '../test/fixtures/documents';

/** Inspection `i` of the benchmarks' users: a valid inspection with a four-item checklist, about the size of a real one. */
export function benchInspection(user: string, i: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return inspection(user, {
    title: `Inspection ${i}`,
    site: `Site ${i % 37}`,
    scheduledFor: at.slice(0, 10),
    checklist: [
      'Access and escape routes clear',
      'Fire extinguishers present and in date',
      'Electrical panels closed and labelled',
      'Personal protective equipment in use',
    ].map((label, n) => ({ id: `item-${n}`, label, result: n % 2 ? 'pass' : null })),
    createdAt: at,
    updatedAt: at,
    deviceId: 'device-bench',
  });
}
