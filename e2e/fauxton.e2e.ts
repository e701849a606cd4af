import { expect, test } from '@playwright/test';
import { logIn } from './support/app-actions';

test('an admin reaches Fauxton through the proxy and sees the databases', async ({ page }) => {
  await logIn(page, 'admin');
  await page.goto('/_utils/');
  await expect(page.getByText('userdb-616c696365').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('inspections').first()).toBeVisible();
});

test('an inspector gets 403 at /_utils', async ({ page }) => {
  await logIn(page, 'alice');
  const response = await page.request.get('/_utils/');
  expect(response.status()).toBe(403);
  expect((await response.json()).error).toBe('forbidden');
});
