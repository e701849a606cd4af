/*
 * Screenshots for review, at tablet size in both orientations, into docs/screenshots/
 * <name>-<orientation>.png (committed). The same picture every run: nothing hovered or
 * focused, fonts loaded, animations and the caret off.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';

const OUT = join(__dirname, '..', '..', 'docs', 'screenshots');
export const VIEWPORTS = {
  landscape: { width: 1280, height: 800 },
  portrait: { width: 800, height: 1280 },
} as const;

/** One screenshot of the page as it is now. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // The pointer parked in the empty bottom-left corner, so nothing shows a hover state.
  await page.mouse.move(2, page.viewportSize()!.height - 2);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(OUT, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/**
 * The page in both orientations, each once `ready` has seen its content (a page that fails to
 * render fails the test instead of photographing a spinner); the viewport is put back after.
 */
export async function shootBoth(page: Page, name: string, ready: () => Promise<void>): Promise<void> {
  const before = page.viewportSize();
  for (const [orientation, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await ready();
    await shoot(page, `${name}-${orientation}`);
  }
  if (before) await page.setViewportSize(before);
}
