import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom, timeout } from 'rxjs';
import { AppSettings, appSettingsOf } from '../../../domain/archive-settings';

const CACHE_KEY = 'fieldbook.archiveDays';
/** How long an archive run waits for the server's setting: on a stalled connection, the cached one does. */
export const SETTINGS_TIMEOUT_MS = 5_000;

/**
 * How many days after its approval an inspection stays on this device: the server's setting
 * (an admin's, on the admin Settings page or `npm run settings`), read when online and cached
 * for offline starts; the default until it was ever read.
 */
@Injectable({ providedIn: 'root' })
export class ArchiveSettingsService {
  private readonly http = inject(HttpClient);
  private readonly days = signal(cached());

  readonly archiveDays = this.days.asReadonly();

  /** Reads the server's setting; offline, refused or unanswered, the cached one stays. */
  async refresh(): Promise<number> {
    try {
      this.adopt(await firstValueFrom(this.http.get<AppSettings>('/api/settings').pipe(timeout(SETTINGS_TIMEOUT_MS))));
    } catch {
      // Out of coverage: the period last read holds.
    }
    return this.days();
  }

  /** An admin sets the period for every tablet (the server refuses anyone else); this device follows at once. Throws the server's refusal. */
  async save(archiveDays: number): Promise<number> {
    this.adopt(await firstValueFrom(this.http.put<AppSettings>('/api/admin/settings', { archiveDays })));
    return this.days();
  }

  private adopt(answer: AppSettings): void {
    const { archiveDays } = appSettingsOf(answer);
    localStorage.setItem(CACHE_KEY, String(archiveDays));
    this.days.set(archiveDays);
  }
}

function cached(): number {
  return appSettingsOf({ archiveDays: Number(localStorage.getItem(CACHE_KEY) ?? NaN) }).archiveDays;
}
