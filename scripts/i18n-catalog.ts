/**
 * The translation catalogs against the app's messages (README "Languages"): which messages a
 * language lacks, which translations no message uses any more, and which translations do
 * not carry the same placeholders as their message (an interpolation, a tag, an ICU case).
 *
 *   tsx scripts/i18n-catalog.ts     extracts the messages afresh and lists every problem
 *
 * `npm run i18n:extract` writes the source catalog, src/locale/messages.json; the translations
 * are src/locale/messages.<language>.json in the same JSON format.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const LOCALE_DIR = join(ROOT, 'src', 'locale');
/** The translated languages; English is the source. Matches src/app/i18n/languages.ts. */
export const TRANSLATED = ['fr', 'es'] as const;

export interface Catalog {
  locale: string;
  translations: Record<string, string>;
}

export function readCatalog(file: string): Catalog {
  return JSON.parse(readFileSync(file, 'utf8')) as Catalog;
}

/** The app's messages as `ng extract-i18n` finds them now (it builds the app, so it takes a while). */
export function extractMessages(): Catalog {
  const dir = mkdtempSync(join(tmpdir(), 'fieldbook-i18n-'));
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'ng'), ['extract-i18n', '--format', 'json', '--output-path', dir], {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
    });
    return readCatalog(join(dir, 'messages.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What must match between a message and its translation: `{$INTERPOLATION}`, `{$START_TAG_STRONG}`,
 * `{$count}`..., and inside ICU messages the ICU's variable and cases (`{VAR_PLURAL, plural,`,
 * `=1 {`, `other {`) and its `{INTERPOLATION}`s. Sorted, since word order may change.
 */
export function placeholders(text: string): string[] {
  const found = [
    ...(text.match(/\{\$[^}]+\}/g) ?? []),
    ...(text.match(/\{[A-Z_0-9]+\}/g) ?? []),
    ...(text.match(/\{[A-Z_0-9]+, (plural|select),/g) ?? []),
    ...[...text.matchAll(/(?:^|[\s}])(=\d+|zero|one|two|few|many|other)\s*\{/g)].map((match) => match[1]!),
  ];
  return found.sort();
}

/**
 * Mistakes in the English messages themselves: a `$localize` placeholder name not right after
 * its `${…}` (`"${title}":title:`) is shown as text instead of naming the placeholder.
 */
export function sourceProblems(source: Catalog): string[] {
  return Object.entries(source.translations)
    .filter(([, message]) => /\{\$[^}]+\}[^{\s]*?:[A-Za-z_]\w*:/.test(message))
    .map(([id, message]) => `${id}: a placeholder name is shown as text ("${message}"): write \${value}:name: with nothing between`);
}

/** Every problem of one language's catalog against the source messages, one line each. */
export function catalogProblems(source: Catalog, translated: Catalog): string[] {
  const problems: string[] = [];
  for (const [id, message] of Object.entries(source.translations)) {
    const translation = translated.translations[id];
    if (translation === undefined || !translation.trim()) {
      problems.push(`${translated.locale}: ${id} is not translated ("${message}")`);
    } else if (placeholders(translation).join(' ') !== placeholders(message).join(' ')) {
      problems.push(
        `${translated.locale}: ${id} has placeholders ${placeholders(translation).join(' ')}, the message ${placeholders(message).join(' ')}`,
      );
    }
  }
  for (const id of Object.keys(translated.translations)) {
    if (!(id in source.translations)) problems.push(`${translated.locale}: ${id} is translated but no message has that id any more`);
  }
  return problems;
}

if (require.main === module) {
  const source = extractMessages();
  const problems = [
    ...sourceProblems(source),
    ...TRANSLATED.flatMap((language) => catalogProblems(source, readCatalog(join(LOCALE_DIR, `messages.${language}.json`)))),
  ];
  for (const problem of problems) console.log(problem);
  console.log(`${Object.keys(source.translations).length} messages, ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}
