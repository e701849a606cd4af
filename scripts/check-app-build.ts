/**
 * The production PWA carries no test hooks: `window.fieldbookDb` exists only in the e2e
 * build (`ng build -c production,e2e` → dist/fieldbook-e2e, angular.json). `npm run build`
 * runs this after `ng build`, and the e2e run checks both builds before it starts
 * (e2e/support/global-setup.ts).
 *
 *   tsx scripts/check-app-build.ts [dir]   (default dist/fieldbook/browser)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const TEST_HOOK = 'fieldbookDb';

/** The JavaScript files of the built app in `dir` that mention a test hook; throws if there is no build. */
export function filesWithTestHooks(dir: string): string[] {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`No built app in ${dir}`);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .filter((file) => readFileSync(join(dir, file), 'utf8').includes(TEST_HOOK));
}

/** Throws unless the production build in `dir` is free of test hooks. */
export function assertNoTestHooks(dir: string): void {
  const files = filesWithTestHooks(dir);
  if (files.length > 0) throw new Error(`The production build in ${dir} carries the test hook ${TEST_HOOK}: ${files.join(', ')}`);
}

if (require.main === module) {
  const dir = resolve(process.argv[2] ?? join(__dirname, '..', 'dist', 'fieldbook', 'browser'));
  try {
    assertNoTestHooks(dir);
    console.log(`${dir}: no test hooks`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
