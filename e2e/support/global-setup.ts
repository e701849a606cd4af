/*
 * Before any e2e test: the tests drive the e2e build (E2E_APP_DIR), which has the test hook
 * window.fieldbookDb; the production build (`ng build`, what the image serves) must not.
 * `npm run test:e2e` builds both first; `npx playwright test` alone needs them built.
 */
import { join } from 'node:path';
import { assertNoTestHooks, filesWithTestHooks, TEST_HOOK } from '../../scripts/check-app-build';
import { E2E_APP_DIR } from './e2e-env';

const HOW = 'run "npm run test:e2e", or "npx ng build && npx ng build -c production,e2e" before "npx playwright test"';

export default function globalSetup(): void {
  try {
    assertNoTestHooks(join(__dirname, '..', '..', 'dist', 'fieldbook', 'browser'));
    if (filesWithTestHooks(E2E_APP_DIR).length === 0) throw new Error(`The e2e build in ${E2E_APP_DIR} has no ${TEST_HOOK}`);
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${HOW}`, { cause: error });
  }
}
