import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AppSettings, appSettingsOf } from '../../../domain/archive-settings';

const CACHE_KEY = 'fieldbook.archiveDays';

/**
 * How many days after its approval an inspection stays on this device: the server's setting
 * (an admin's, `npm run settings`), read when online and cached for offline starts; the
 * default until it was ever read.
 */
@Injectable({ providedIn: 'root' })
export class ArchiveSettingsService {
  private readonly http = inject(HttpClient);
  private readonly days = signal(cached());

  readonly archiveDays = this.days.asReadonly();

  /** Reads the server's setting; offline (or refused) the cached one stays. */
  async refresh(): Promise<number> {
    try {
      const { archiveDays } = appSettingsOf(await firstValueFrom(this.http.get<AppSettings>('/api/settings')));
      localStorage.setItem(CACHE_KEY, String(archiveDays));
      this.days.set(archiveDays);
    } catch {
      // Out of coverage: the period last read holds.
    }
    return this.days();
  }
}

function cached(): number {
  return appSettingsOf({ archiveDays: Number(localStorage.getItem(CACHE_KEY) ?? NaN) }).archiveDays;
}
