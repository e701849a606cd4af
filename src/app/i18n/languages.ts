/**
 * The languages the app speaks. English is the source language (the text in the templates);
 * the others have a catalog in src/locale/ (README "Languages"). Each name is written in its
 * own language, so it can be found whatever the app is showing.
 */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
  { code: 'es', name: 'Español' },
] as const;

export type LanguageCode = (typeof LANGUAGES)[number]['code'];

/** Where the device keeps the chosen language: a device setting, it outlives logouts. */
export const LANGUAGE_KEY = 'fieldbook.language';

export function isLanguageCode(code: unknown): code is LanguageCode {
  return LANGUAGES.some((language) => language.code === code);
}

/** The language chosen on this device, else the browser's first one the app speaks, else English. */
export function preferredLanguage(chosen: string | null, browserLanguages: readonly string[]): LanguageCode {
  if (isLanguageCode(chosen)) return chosen;
  const spoken = browserLanguages.map(baseLanguage).find(isLanguageCode);
  return spoken ?? 'en';
}

/**
 * The locale for dates and numbers: the browser's regional variant when it is the same
 * language ("fr-CA", "en-GB"), else the language itself. Angular falls back from a regional
 * locale to its language's data ("fr-CA" → "fr"), so only the languages need registering.
 */
export function localeFor(language: LanguageCode, browserLanguages: readonly string[]): string {
  return browserLanguages.find((tag) => baseLanguage(tag) === language && isValidLocale(tag)) ?? language;
}

function baseLanguage(tag: string): string {
  return tag.split('-')[0].toLowerCase();
}

function isValidLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}
