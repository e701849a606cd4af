import { Defect, DefectStatus } from '../../../domain/doc-types';

const STATUS_WORDS: Record<DefectStatus, string> = {
  open: $localize`:@@defect.summary.open:open`,
  fixed: $localize`:@@defect.summary.fixed:fixed`,
  wont_fix: $localize`:@@defect.summary.wontFix:won't fix`,
};

/** "1 photo", "3 photos", by the plural rules of the app's locale (src/main.ts sets `$localize.locale`). */
export function photoCount(count: number, locale = $localize.locale): string {
  const number = new Intl.NumberFormat(locale).format(count);
  return new Intl.PluralRules(locale).select(count) === 'one'
    ? $localize`:@@defect.summary.onePhoto:${number}:count: photo`
    : $localize`:@@defect.summary.photos:${number}:count: photos`;
}

/**
 * A defect's line under its title in a list: where it is (when recorded), its status, and how
 * many photos it has (when any): "Level 2 · open · 1 photo", "open · 2 photos", "fixed".
 */
export function defectSummary(defect: Pick<Defect, 'location' | 'status'>, photos: number): string {
  const location = defect.location?.trim();
  return [location, STATUS_WORDS[defect.status] ?? defect.status, photos ? photoCount(photos) : ''].filter(Boolean).join(' · ');
}
