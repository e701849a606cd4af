/*
 * Before any e2e test: the tests drive the e2e build (E2E_APP_DIR), which has the test hook
 * window.fieldbookDb; the production build (`ng build`, what the image serves) must not.
 * `npm run test:e2e` builds both first.
 */
import { join } from 'node:path';
import { assertNoTestHooks, filesWithTestHooks, TEST_HOOK } from '../../scripts/check-app-build';
import { E2E_APP_DIR } from './e2e-env';

export default function globalSetup(): void {
  assertNoTestHooks(join(__dirname, '..', '..', 'dist', 'fieldbook', 'browser'));
  if (filesWithTestHooks(E2E_APP_DIR).length === 0)
    throw new Error(`The e2e build in ${E2E_APP_DIR} has no ${TEST_HOOK}: build it with "ng build -c production,e2e"`);
}
