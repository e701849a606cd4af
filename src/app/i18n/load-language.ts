import { registerLocaleData } from '@angular/common';
import { loadTranslations } from '@angular/localize';
import { LanguageCode } from './languages';

interface Catalog {
  locale: string;
  translations: Record<string, string>;
}

/**
 * Catalogs and Angular locale data of the translated languages, each its own lazy chunk:
 * bundled with the code whose message ids they match, hashed with it, and prefetched by the
 * service worker with every other chunk, so a language switch works offline.
 */
const LANGUAGE_FILES: Record<Exclude<LanguageCode, 'en'>, () => Promise<[{ default: Catalog }, { default: unknown[] }]>> = {
  fr: () => Promise.all([import('../../locale/messages.fr.json'), import('@angular/common/locales/fr')]),
  es: () => Promise.all([import('../../locale/messages.es.json'), import('@angular/common/locales/es')]),
};

/**
 * Makes `language` the one `$localize` translates into and registers its dates, numbers and
 * plural rules. Must finish before any code that calls `$localize` is loaded (src/main.ts).
 */
export async function loadLanguage(language: LanguageCode): Promise<void> {
  if (language === 'en') return;
  const [catalog, localeData] = await LANGUAGE_FILES[language]();
  loadTranslations(catalog.default.translations);
  registerLocaleData(localeData.default, language);
}
