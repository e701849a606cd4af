import { StorageReport } from '../core/storage.service';

/** From this share of the browser's quota on, the app warns: a notice on every page, and the Storage page. */
export const QUOTA_WARNING_SHARE = 0.8;

/** How much of the browser's quota is used, in whole percent; 0 when the browser does not say. */
export function usedPercent(report: StorageReport | null): number {
  return report?.usage != null && report.quota ? Math.round((report.usage / report.quota) * 100) : 0;
}

/** Whether that is past the warning share. */
export function isNearlyFull(percent: number): boolean {
  return percent >= QUOTA_WARNING_SHARE * 100;
}
