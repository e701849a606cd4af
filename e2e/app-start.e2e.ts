import { expect, test, type Page } from '@playwright/test';
import { logIn } from './support/app-actions';
import { freshInspector } from './support/inspector';

/**
 * The app is a chunk the page imports after its language (src/main.ts). When the browser fails
 * to fetch it, or a chunk it needs, the page reloads itself once, then says what went wrong.
 * A first visit: no service worker controls the page yet, so the routes see every request.
 */

/** Aborts the first `times` requests for script chunks that index.html does not load itself; counts them. */
async function failAppChunks(page: Page, times: number): Promise<{ aborted: number }> {
  const html = await (await page.request.get('/', { headers: { accept: 'text/html' } })).text();
  const ownScripts = new Set([...html.matchAll(/(?:href|src)="([\w.-]+\.js)"/g)].map((match) => match[1]));
  const seen = { aborted: 0 };
  await page.route(/\/chunk-[\w-]+\.js$/, async (route) => {
    const file = new URL(route.request().url()).pathname.slice(1);
    if (ownScripts.has(file) || seen.aborted >= times) return route.continue();
    seen.aborted++;
    return route.abort('failed');
  });
  return seen;
}

test('a chunk of the app that fails to load once: the page reloads itself and the sign-in appears', async ({ page }) => {
  const failures = await failAppChunks(page, 1);
  await page.goto('/');
  await expect(page.getByTestId('login-name')).toBeVisible({ timeout: 30_000 });
  expect(failures.aborted).toBe(1);
  await expect(page.getByTestId('start-failed')).toHaveCount(0);
});

test('a chunk of the app that keeps failing: after one reload the page says why and offers to try again', async ({ page }) => {
  await failAppChunks(page, Number.POSITIVE_INFINITY);
  // Counted when each document commits, before its scripts run: the visit and the one reload.
  let documents = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) documents++;
  });
  await page.goto('/');
  const failed = page.getByTestId('start-failed');
  await expect(failed).toContainText('Fieldbook could not start', { timeout: 30_000 });
  await expect(failed).toContainText('Failed to fetch dynamically imported module');
  expect(documents).toBe(2);
  await expect(page.getByTestId('login-name')).toHaveCount(0);

  // The network back: "Try again" starts the app.
  await page.unroute(/\/chunk-[\w-]+\.js$/);
  await failed.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('login-name')).toBeVisible({ timeout: 30_000 });
});

test.describe('after the app started', () => {
  // What a page meets when its chunk is neither loaded nor cached by the service worker (kept out
  // here, so the routes see every request).
  test.use({ serviceWorkers: 'block' });

  test('a page whose code fails to load says so, and Try again opens it', async ({ page }) => {
    const requested = new Set<string>();
    page.on('request', (request) => requested.add(request.url()));
    await logIn(page, await freshInspector('page-load'));
    await expect(page.getByTestId('new-inspection')).toBeVisible();

    // The connection drops for every chunk the app has not fetched yet: the sync page's.
    const loaded = new Set(requested);
    const failed: string[] = [];
    await page.route(/\/chunk-[\w-]+\.js$/, (route) => {
      if (loaded.has(route.request().url())) return route.continue();
      failed.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await page.getByRole('link', { name: 'Sync', exact: true }).click();
    const notice = page.locator('mat-snack-bar-container');
    await expect(notice).toContainText('This page did not load');
    expect(failed.length).toBeGreaterThan(0);
    await expect(page).toHaveURL(/\/inspections$/);

    await page.unroute(/\/chunk-[\w-]+\.js$/);
    await notice.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByTestId('sync-status-state')).toBeVisible({ timeout: 30_000 });
    await expect(page).toHaveURL(/\/sync$/);
  });
});
