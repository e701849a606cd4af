import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import {
  LOCALE_DIR,
  ROOT,
  TRANSLATED,
  catalogProblems,
  extractMessages,
  placeholders,
  readCatalog,
  sourceProblems,
} from '../../scripts/i18n-catalog';

// Every message the app shows is translated into every language: the messages are extracted
// afresh from the source (a stale src/locale/messages.json cannot hide a new one), and each
// catalog must translate each of them with the same placeholders.
describe('i18n: the translation catalogs', () => {
  it('translate every message of the app, with its placeholders, into every language', () => {
    const source = extractMessages();
    assert.ok(Object.keys(source.translations).length > 100, 'the extraction found the app’s messages');
    const problems = [
      ...sourceProblems(source),
      ...TRANSLATED.flatMap((language) => catalogProblems(source, readCatalog(join(LOCALE_DIR, `messages.${language}.json`)))),
    ];
    assert.deepEqual(problems, [], 'npm run i18n:extract, then translate in src/locale/messages.<language>.json');
    const committed = readCatalog(join(LOCALE_DIR, 'messages.json'));
    assert.deepEqual(committed.translations, source.translations, 'src/locale/messages.json is out of date: npm run i18n:extract');
  });

  it('finds what is missing, left over or has other placeholders', () => {
    const source = {
      locale: 'en-US',
      translations: { a: 'Save', b: 'Hello {$INTERPOLATION}', c: '{VAR_PLURAL, plural, =1 {one} other {{INTERPOLATION} more}}' },
    };
    const translated = {
      locale: 'fr',
      translations: { b: 'Bonjour', c: '{VAR_PLURAL, plural, =1 {un} other {{INTERPOLATION} de plus}}', gone: 'Parti' },
    };
    assert.deepEqual(catalogProblems(source, translated), [
      'fr: a is not translated ("Save")',
      'fr: b has placeholders , the message {$INTERPOLATION}',
      'fr: gone is translated but no message has that id any more',
    ]);
    assert.deepEqual(sourceProblems({ locale: 'en-US', translations: { ok: '"{$title}" is saved', bad: '"{$PH}":title: is saved' } }), [
      'bad: a placeholder name is shown as text (""{$PH}":title: is saved"): write ${value}:name: with nothing between',
    ]);
    assert.deepEqual(placeholders('{VAR_PLURAL, plural, =1 {un} other {{INTERPOLATION} de plus}}'), [
      '=1',
      'other',
      '{INTERPOLATION}',
      '{VAR_PLURAL, plural,',
    ]);
  });
});

// The lint half: a template text or visible attribute without an i18n id fails `npm run lint`.
describe('lint: templates mark their text for translation', () => {
  const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: join(ROOT, 'eslint.config.js') });
  const i18nErrors = async (template: string) => {
    const [result] = await eslint.lintText(template, { filePath: join(ROOT, 'src/app/x/x.page.html') });
    return result!.messages.filter((message) => message.ruleId === '@angular-eslint/template/i18n').map((message) => message.message);
  };

  it('refuses unmarked text, unmarked visible attributes and marks without an id', async () => {
    assert.equal((await i18nErrors('<p>Save</p>\n')).length, 1);
    assert.equal((await i18nErrors('<input placeholder="e.g. Tablet 3" />\n')).length, 1);
    assert.equal((await i18nErrors('<button aria-label="Close" i18n-aria-label></button>\n')).length, 1);
    assert.equal((await i18nErrors('<p i18n>Save</p>\n')).length, 1);
  });

  it('accepts marked text and attributes that are never shown', async () => {
    assert.deepEqual(await i18nErrors('<p i18n="@@common.save">Save</p>\n'), []);
    assert.deepEqual(await i18nErrors('<input placeholder="e.g. Tablet 3" i18n-placeholder="@@x.placeholder" data-testid="name" />\n'), []);
    assert.deepEqual(await i18nErrors('<span>{{ count() }} · {{ name }}</span>\n'), []);
  });
});
