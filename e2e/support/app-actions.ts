import { expect, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from './e2e-env';

export async function logIn(page: Page, name: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/');
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  // A deadline, not a wait: a first login opens the tablet's database (and the service worker
  // installs meanwhile), which took 11 s on a loaded 2-core CI machine.
  await expect(page.getByTestId('sync-state')).toBeVisible({ timeout: 60_000 });
}

export async function createInspection(page: Page, title: string, site = 'Plant 4'): Promise<void> {
  await page.getByTestId('new-inspection').click();
  await page.getByTestId('inspection-title').fill(title);
  await page.getByTestId('inspection-site').fill(site);
  await page.getByTestId('save-inspection').click();
}

export async function expectSyncState(page: Page, state: 'offline' | 'connecting' | 'syncing' | 'paused' | 'error', timeout = 15_000) {
  await expect(page.getByTestId('sync-state')).toHaveAttribute('data-state', state, { timeout });
}

/** Picks options of a Material select by their text; its field is clicked, as a person would (the label covers an empty select). */
export async function pick(page: Page, selectTestId: string, ...options: string[]): Promise<void> {
  await page
    .locator('mat-form-field')
    .filter({ has: page.getByTestId(selectTestId) })
    .click();
  for (const option of options) await page.getByRole('option', { name: option, exact: true }).click();
  // A multiple select stays open until dismissed.
  if (await page.getByRole('listbox').isVisible()) await page.keyboard.press('Escape');
  await expect(page.getByRole('listbox')).toHaveCount(0);
}
