import { expect, test } from '@playwright/test';
import { expectSyncState, logIn, pick } from './support/app-actions';
import { freshInspector, goOffline } from './support/inspector';

test('the language picker switches the whole app, dates follow the language, and the installed app remembers it offline', async ({
  page,
  context,
}) => {
  const user = await freshInspector('languages');

  // Before signing in: the login page has the picker.
  await page.goto('/');
  await expect(page.getByTestId('login-submit')).toHaveText('Sign in');
  await pick(page, 'language-picker', 'Español');
  await expect(page.getByTestId('login-submit')).toHaveText('Iniciar sesión');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await pick(page, 'language-picker', 'Français');
  await expect(page.getByTestId('login-submit')).toHaveText('Se connecter');

  await logIn(page, user);
  await expectSyncState(page, 'paused');
  await expect(page.getByTestId('logout')).toHaveText('Se déconnecter');
  await expect(page.getByTestId('sync-state')).toContainText('à jour');
  await page.getByTestId('new-inspection').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nouvelle inspection');
  await page.getByTestId('inspection-title').fill('Quai de chargement');
  await page.getByTestId('inspection-site').fill('Entrepôt 2');
  await page.getByTestId('inspection-scheduled').fill('2026-03-05');
  await page.getByTestId('save-inspection').click();
  const row = page.getByTestId('inspection-row').filter({ hasText: 'Quai de chargement' });
  // One date style, in the language's own form; the status and the count in French too.
  await expect(row.locator('.date')).toHaveText('5 mars 2026');
  await expect(row.locator('.status')).toHaveText('Brouillon');
  await expect(page.getByTestId('inspection-count')).toHaveText('1 inspection');

  // The installed app starts in the chosen language without a network.
  await goOffline(page);
  await page.reload();
  await expect(page.getByTestId('logout')).toHaveText('Se déconnecter');
  await expect(row.locator('.date')).toHaveText('5 mars 2026');
  await context.setOffline(false);

  // Back to English from the Sync page: the same inspection, the English date.
  await page.getByRole('link', { name: 'Synchronisation' }).first().click();
  await pick(page, 'language-picker', 'English');
  await expect(page.getByTestId('logout')).toHaveText('Log out');
  await page.getByTestId('nav-inspections').first().click();
  await expect(row.locator('.date')).toHaveText('Mar 5, 2026');
  await expect(row.locator('.status')).toHaveText('Draft');
});

test('without JavaScript the page says what it needs, in each language the app speaks', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.locator('p[lang="en"]')).toHaveText("Fieldbook needs JavaScript: turn it on in the browser's settings.");
    await expect(page.locator('p[lang="fr"]')).toContainText('Fieldbook a besoin de JavaScript');
    await expect(page.locator('p[lang="es"]')).toContainText('Fieldbook necesita JavaScript');
  } finally {
    await context.close();
  }
});
