import { defect, inspection } from '../test/fixtures/documents';

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

/** Bytes of a benchmark thumbnail: a 320-pixel JPEG is 10-20 KB. */
const THUMB_BYTES = 12 * 1024;

/**
 * Defect `i` of `inspectionId` with one thumbnail, as a tablet's photo leaves it. Random bytes,
 * different for each defect: like a JPEG they do not compress, within an answer or across them.
 */
export function benchDefect(user: string, i: number, inspectionId: string): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const bytes = crypto.getRandomValues(new Uint8Array(THUMB_BYTES));
  return defect(user, inspectionId, {
    title: `Defect ${i}`,
    createdAt: at,
    updatedAt: at,
    deviceId: 'device-bench',
    _attachments: { [`thumb-${i}`]: { content_type: 'image/jpeg', data: Buffer.from(bytes).toString('base64') } },
  });
}
