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

/** Bytes as a short human-readable size. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
