import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/chromium';
import { E2E_APP_DIR, E2E_COUCH_PORT, E2E_DATA_DIR, E2E_PORT } from './support/e2e-env';

/**
 * End-to-end tests: the real `npm start` stack (PouchDB Server + proxy) serving the e2e build of
 * the PWA (the production build plus its test hook, `ng build -c production,e2e`) in Debian's Chromium.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  globalTimeout: 25 * 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  // Fails unless the production build is free of test hooks and the e2e build has them.
  globalSetup: './support/global-setup.ts',
  outputDir: '.artifacts/results',
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 1280, height: 800 },
    // The app starts in the browser's language when it speaks it: the tests expect English
    // unless they choose another language (languages.e2e.ts).
    locale: 'en-US',
    serviceWorkers: 'allow',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
    // A failed test keeps its trace: DOM snapshots, network and sources. Without the
    // screencast: on two cores it held each first login back by more than a second.
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true },
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'node --import tsx e2e/support/start-fresh-stack.ts',
    cwd: '..',
    url: `http://127.0.0.1:${E2E_PORT}/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      PORT: String(E2E_PORT),
      FIELDBOOK_COUCH_PORT: String(E2E_COUCH_PORT),
      FIELDBOOK_DATA_DIR: E2E_DATA_DIR,
      FIELDBOOK_STATIC_DIR: E2E_APP_DIR,
      LOG_LEVEL: 'warn',
    },
  },
});
