import { Injectable } from '@angular/core';

export interface StorageReport {
  usage: number | null;
  quota: number | null;
  persisted: boolean;
}

/**
 * The browser's storage for this origin. Unsynced inspections live only here, so we ask
 * for persistent storage: without it the browser may evict IndexedDB under disk pressure.
 */
@Injectable({ providedIn: 'root' })
export class StorageService {
  async report(): Promise<StorageReport> {
    const storage = navigator.storage;
    const estimate = storage?.estimate ? await storage.estimate() : {};
    const persisted = storage?.persisted ? await storage.persisted() : false;
    return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
  }

  /** Asks to keep our data under storage pressure; true if granted (now or earlier). */
  async requestPersistence(): Promise<boolean> {
    const storage = navigator.storage;
    if (!storage?.persist) return false;
    return (await storage.persisted()) || storage.persist();
  }
}

/**
 * Bytes as a short size in the app's locale ("1.5 MB", "1,5 Mo"); `$localize.locale` is the
 * locale src/main.ts chose, so callers outside an injection context can use it too.
 */
export function formatBytes(bytes: number, locale = $localize.locale): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 && unit > 0 ? 1 : 0;
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}
