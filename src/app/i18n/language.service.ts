import { Injectable, InjectionToken, inject } from '@angular/core';
import { LANGUAGE_KEY, LanguageCode, preferredLanguage } from './languages';

/** Where the chosen language is kept (the device's localStorage, as src/main.ts reads it); tests give their own. */
export const LANGUAGE_STORAGE = new InjectionToken<Storage>('LANGUAGE_STORAGE', { factory: () => localStorage });
/** Starts the app again, in the language just chosen; tests give their own. */
export const RELOAD_APP = new InjectionToken<() => void>('RELOAD_APP', { factory: () => () => location.reload() });

/**
 * The device's language. The app is translated once, as it starts (src/main.ts), so choosing
 * another language stores it and starts the app again; the installed PWA starts in it from then on.
 */
@Injectable({ providedIn: 'root' })
export class LanguageService {
  private readonly storage = inject(LANGUAGE_STORAGE);
  private readonly reload = inject(RELOAD_APP);

  /** The language the app is showing: the same choice src/main.ts made. */
  readonly current: LanguageCode = preferredLanguage(this.storage.getItem(LANGUAGE_KEY), navigator.languages);

  choose(language: LanguageCode): void {
    if (language === this.current) return;
    this.storage.setItem(LANGUAGE_KEY, language);
    this.reload();
  }
}
