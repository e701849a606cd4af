import { LOCALE_ID } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { LANGUAGE_KEY, localeFor, preferredLanguage } from './app/i18n/languages';
import { loadLanguage } from './app/i18n/load-language';
import { browserStartRecovery, recoverFromFailedStart } from './app/pwa/start-recovery';

/**
 * One build speaks every language: the chosen catalog is loaded first, and only then is the
 * app imported, because the app's modules call `$localize` as they load.
 */
async function start(): Promise<void> {
  const language = preferredLanguage(localStorage.getItem(LANGUAGE_KEY), navigator.languages);
  await loadLanguage(language);
  document.documentElement.lang = language;
  // Also for code outside Angular's injection (formatBytes); Angular reads it as its default LOCALE_ID.
  $localize.locale = localeFor(language, navigator.languages);
  const [{ appConfig }, { App }] = await Promise.all([import('./app/app.config'), import('./app/app')]);
  const locale = { provide: LOCALE_ID, useValue: $localize.locale };
  await bootstrapApplication(App, { ...appConfig, providers: [...appConfig.providers, locale] });
}

start().catch((error: unknown) => {
  console.error(error);
  recoverFromFailedStart(error, browserStartRecovery());
});
