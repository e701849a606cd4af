import { expect, test } from '@playwright/test';
import { logIn } from './support/app-actions';

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
  await expect(page).toHaveURL(/\/admin\/replications$/);
  const partnerJob = page.getByTestId('job-row').filter({ hasText: 'partner-acme' });
  await expect(partnerJob).toContainText('inspections → partner-acme');
  await expect(partnerJob.getByTestId('job-state')).toHaveText('running', { timeout: 20_000 });
  await expect(page.getByTestId('job-row').filter({ hasText: 'fanin-alice' })).toBeVisible();
});

test('an inspector gets 403 at /_utils and has no replication page', async ({ page }) => {
  await logIn(page, 'alice');
  const response = await page.request.get('/_utils/');
  expect(response.status()).toBe(403);
  expect((await response.json()).error).toBe('forbidden');
  await expect(page).toHaveURL(/\/inspections$/);
  await expect(page.getByTestId('nav-admin')).toHaveCount(0);
  await page.goto('/admin/replications');
  await expect(page).toHaveURL(/\/inspections$/);
  expect((await page.request.get('/api/admin/replications')).status()).toBe(403);
});
