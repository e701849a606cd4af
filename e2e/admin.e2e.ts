import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { expectSyncState, logIn, pick } from './support/app-actions';

test('an admin reaches Fauxton through the proxy and sees the databases', async ({ page }) => {
  await logIn(page, 'ada');
  await page.goto('/_utils/');
  await expect(page.getByText('userdb-616c696365').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('inspections').first()).toBeVisible();
});

test("an admin's replication page lists the server's jobs with their state", async ({ page }) => {
  await logIn(page, 'ada');
  await expect(page).toHaveURL(/\/inspections$/);
  await page.getByTestId('nav-admin').click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await page.getByTestId('admin-tab-replications').click();
  await expect(page).toHaveURL(/\/admin\/replications$/);
  const partnerJob = page.getByTestId('job-row').filter({ hasText: 'partner-acme' });
  await expect(partnerJob).toContainText('inspections → partner-acme');
  await expect(partnerJob.getByTestId('job-state')).toHaveText('running', { timeout: 20_000 });
  await expect(page.getByTestId('job-row').filter({ hasText: 'fanin-alice' })).toBeVisible();
});

test('an inspector gets 403 at /_utils and has no admin pages', async ({ page }) => {
  await logIn(page, 'alice');
  const response = await page.request.get('/_utils/');
  expect(response.status()).toBe(403);
  expect((await response.json()).error).toBe('forbidden');
  await expect(page).toHaveURL(/\/inspections$/);
  await expect(page.getByTestId('nav-admin')).toHaveCount(0);
  for (const adminPage of ['/admin/replications', '/admin/users', '/admin/settings']) {
    await page.goto(adminPage);
    await expect(page).toHaveURL(/\/inspections$/);
  }
  expect((await page.request.get('/api/admin/replications')).status()).toBe(403);
  expect((await page.request.get('/api/admin/users')).status()).toBe(403);
  expect((await page.request.put('/api/admin/settings', { data: { archiveDays: 1 } })).status()).toBe(403);
});

test('an admin adds an inspector on the Users page, who signs in; disabling ends their session, enabling gives a new password, removing ends the login', async ({
  page,
  browser,
}) => {
  const name = `new-${randomUUID().slice(0, 8)}`;
  await logIn(page, 'ada');
  // The landing page first: a click during the redirect to it is overtaken by it.
  await expect(page).toHaveURL(/\/inspections$/);
  await page.getByTestId('nav-admin').click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByTestId('user-row').filter({ hasText: 'alice' }).getByTestId('user-role')).toHaveText('inspector');

  await page.getByTestId('add-user-name').fill(name);
  await pick(page, 'add-user-role', 'inspector');
  await page.getByTestId('add-user-password').fill('short');
  await expect(page.getByTestId('add-user-submit')).toBeDisabled();
  await page.getByTestId('add-user-password').fill('first-pass-1');
  await page.getByTestId('add-user-submit').click();
  const row = page.locator(`[data-testid="user-row"][data-name="${name}"]`);
  await expect(row.getByTestId('user-state')).toHaveText('active', { timeout: 30_000 });

  // The new inspector signs in on their own tablet and syncs.
  const tablet = await browser.newContext();
  try {
    const inspector = await tablet.newPage();
    await logIn(inspector, name, 'first-pass-1');
    await expectSyncState(inspector, 'paused');

    await row.getByTestId('user-disable').click();
    await page.getByTestId('user-dialog-confirm').click();
    await expect(row.getByTestId('user-state')).toHaveText('disabled', { timeout: 30_000 });
    await expect.poll(async () => (await inspector.request.get('/api/session')).status(), { timeout: 15_000 }).toBe(401);

    await row.getByTestId('user-enable').click();
    await page.getByTestId('user-dialog-password').fill('second-pass-2');
    await page.getByTestId('user-dialog-confirm').click();
    await expect(row.getByTestId('user-state')).toHaveText('active', { timeout: 30_000 });
    const again = await inspector.request.post('/api/session', { data: { name, password: 'second-pass-2' } });
    expect(again.status()).toBe(200);
  } finally {
    await tablet.close();
  }

  // An admin's own row has no actions; the server refuses them too.
  await page.getByTestId('users-find').fill('ada');
  const own = page.locator('[data-testid="user-row"][data-name="ada"]');
  await expect(own).toContainText('(you)');
  await expect(own.getByRole('button')).toHaveCount(0);
  expect((await page.request.post('/api/admin/users/ada/disable')).status()).toBe(403);

  // Removing the login, once confirmed: gone from the list, and it no longer signs in.
  await page.getByTestId('users-find').fill(name);
  await row.getByTestId('user-remove').click();
  await page.getByTestId('user-dialog-confirm').click();
  await expect(row).toHaveCount(0, { timeout: 30_000 });
  expect((await page.request.post('/api/session', { data: { name, password: 'second-pass-2' } })).status()).toBe(401);
});

test('a French admin reads the server’s refusals in French, and a partner’s name is checked before it is sent', async ({ page }) => {
  await page.goto('/');
  await pick(page, 'language-picker', 'Français');
  await logIn(page, 'ada');
  await expect(page).toHaveURL(/\/inspections$/);
  await page.getByTestId('nav-admin').click();
  await expect(page.getByTestId('user-row').filter({ hasText: 'alice' })).toBeVisible();

  // The server knows alice already: its English reason is said in French.
  await page.getByTestId('add-user-name').fill('alice');
  await page.getByTestId('add-user-password').fill('another-pass-1');
  await page.getByTestId('add-user-submit').click();
  await expect(page.getByTestId('users-error')).toHaveText('alice n’a pas pu être ajouté : Il existe déjà un utilisateur « alice ».');

  // A partner's name becomes a database name: no ".", said before anything is sent.
  await page.getByTestId('add-user-name').fill('acme.co');
  await expect(page.getByTestId('add-user-submit')).toBeEnabled();
  await pick(page, 'add-user-role', 'partenaire');
  await expect(page.getByTestId('add-user-submit')).toBeDisabled();
  await expect(page.getByText('Nom d’un partenaire : lettres minuscules')).toBeVisible();
});
