import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localeFor, preferredLanguage } from '../../src/app/i18n/languages';

describe('the app’s language (src/app/i18n/languages.ts)', () => {
  it('is the one chosen on the device, else the browser’s first the app speaks, else English', () => {
    assert.equal(preferredLanguage('es', ['fr-FR']), 'es');
    assert.equal(preferredLanguage(null, ['de-DE', 'fr-CA', 'en']), 'fr');
    assert.equal(preferredLanguage('xx', ['es-MX']), 'es');
    assert.equal(preferredLanguage(null, ['de', 'it']), 'en');
    assert.equal(preferredLanguage(null, []), 'en');
  });

  it('formats dates and numbers in the browser’s region when it speaks the same language', () => {
    assert.equal(localeFor('fr', ['fr-CA', 'en']), 'fr-CA');
    assert.equal(localeFor('en', ['fr-CA', 'en-GB']), 'en-GB');
    assert.equal(localeFor('es', ['fr-CA']), 'es');
  });
});
