import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom, throwError, timeout } from 'rxjs';
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
  /** Saves made from this device: a read that began before one may answer with the period it replaced. */
  private saves = 0;

  /** Reads the server's setting; offline, refused or unanswered, the cached one stays. */
  async refresh(): Promise<number> {
    try {
      await this.read();
    } catch {
      // Out of coverage: the period last read holds.
    }
    return this.days();
  }

  /** Reads the server's setting and follows it, unless a save overtook the read; throws why it could not be read. */
  async read(): Promise<number> {
    const savesBefore = this.saves;
    const answer = await firstValueFrom(
      this.http.get<AppSettings>('/api/settings').pipe(
        // No answer in time is a server out of reach, said as a failed request is (status 0), not in rxjs's words.
        timeout({ first: SETTINGS_TIMEOUT_MS, with: () => throwError(() => new HttpErrorResponse({ status: 0, url: '/api/settings' })) }),
      ),
    );
    if (this.saves === savesBefore) this.adopt(answer);
    return this.days();
  }

  /** An admin sets the period for every tablet (the server refuses anyone else); this device follows at once. Throws the server's refusal. */
  async save(archiveDays: number): Promise<number> {
    const answer = await firstValueFrom(this.http.put<AppSettings>('/api/admin/settings', { archiveDays }));
    this.saves++;
    this.adopt(answer);
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
