import type { PhotoDoc } from './doc-types';
import { thumbnailOf } from './photo-doc';

/**
 * What a partner receives from the hub: an approved inspection a supervisor shared with
 * them (`partners`), the defects shared along with it while it stays approved (each carries
 * its inspection's status, `inspectionStatus`, since a selector cannot join), and the
 * full-size photos of those defects (which carry their defect's `partners`).
 *
 * Two forms of one rule: the selector of the partner's replication job
 * (couch/replication-jobs.ts), and the predicate that withdraws from the partner's database
 * what no longer matches it (proxy/partner-withdrawal.ts). test/unit/partner-share.test.ts
 * holds them to each other with PouchDB's own selector matching.
 */
export function partnerSelector(partner: string): Record<string, unknown> {
  return {
    partners: { $elemMatch: { $eq: partner } },
    $or: [{ type: 'photo' }, { type: 'defect', inspectionStatus: 'approved' }, { type: 'inspection', status: 'approved' }],
  };
}

export function isSharedWith(doc: Record<string, unknown>, partner: string): boolean {
  if (!Array.isArray(doc['partners']) || !doc['partners'].includes(partner)) return false;
  switch (doc['type']) {
    case 'photo':
      return true;
    case 'defect':
      return doc['inspectionStatus'] === 'approved';
    case 'inspection':
      return doc['status'] === 'approved';
    default:
      return false;
  }
}

/**
 * The partners a defect's full-size photo carries: the defect's while it is shared and its
 * shared version shows the photo (its thumbnail, which the supervisor saw when approving),
 * else none. A defect in conflict shares no photo: its other version may not show it, and a
 * photo taken on that version alone would reach a partner unreviewed. The proxy's hub work
 * keeps every photo to this (proxy/photo-sharing-work.ts), so the photo part of the selector
 * follows its defect although it cannot read it.
 */
export function photoPartnersOf(defect: Record<string, unknown> | null, photo: Pick<PhotoDoc, '_id' | 'defectId'>): string[] {
  const partners = sharedPhotoPartners(defect);
  const attachments = defect?.['_attachments'] as Record<string, unknown> | undefined;
  return partners.length && attachments && thumbnailOf(photo) in attachments ? partners : [];
}

/**
 * What decides the share of each of a defect's photos (`photoPartnersOf`), as one string: the
 * hub work reads a defect's photos again only when this changes.
 */
export function photoShareKey(defect: Record<string, unknown> | null): string {
  const partners = sharedPhotoPartners(defect);
  const thumbnails = partners.length ? Object.keys((defect?.['_attachments'] as object | undefined) ?? {}).sort() : [];
  return JSON.stringify([partners, thumbnails]);
}

function sharedPhotoPartners(defect: Record<string, unknown> | null): string[] {
  if (!defect || defect['_deleted'] || defect['type'] !== 'defect' || defect['inspectionStatus'] !== 'approved') return [];
  if (Array.isArray(defect['_conflicts']) && defect['_conflicts'].length) return [];
  return Array.isArray(defect['partners']) ? (defect['partners'] as string[]) : [];
}
