import { Defect, DefectStatus } from '../../../domain/doc-types';

const STATUS_WORDS: Record<DefectStatus, string> = { open: 'open', fixed: 'fixed', wont_fix: "won't fix" };

/** "1 photo", "3 photos". */
export function photoCount(count: number): string {
  return `${count} ${count === 1 ? 'photo' : 'photos'}`;
}

/**
 * A defect's line under its title in a list: where it is (when recorded), its status, and how
 * many photos it has (when any): "Level 2 · open · 1 photo", "open · 2 photos", "fixed".
 */
export function defectSummary(defect: Pick<Defect, 'location' | 'status'>, photos: number): string {
  const location = defect.location?.trim();
  return [location, STATUS_WORDS[defect.status] ?? defect.status, photos ? photoCount(photos) : ''].filter(Boolean).join(' · ');
}
