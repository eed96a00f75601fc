// Reads the demo page's state through its window.wgcam test hooks.
import type { Page } from 'puppeteer-core';
import type { DemoStatus } from '../../src/test-hooks.js';

/** The page's current status (see src/test-hooks.ts). */
export function pageStatus(page: Page): Promise<DemoStatus> {
  return page.evaluate(() => (window as unknown as { wgcam: { status(): DemoStatus } }).wgcam.status());
}

/**
 * Waits until the page has rendered `count` more frames than `after` and returns the status.
 *
 * @example
 * const status = await waitForFrames(page, 3);
 */
export async function waitForFrames(page: Page, count: number, options: { after?: number; timeout?: number } = {}): Promise<DemoStatus> {
  const after = options.after ?? (await pageStatus(page)).frames;
  await page.waitForFunction(
    (target: number) => {
      const hooks = (window as unknown as { wgcam?: { status(): { frames: number } } }).wgcam;
      return hooks !== undefined && hooks.status().frames >= target;
    },
    { timeout: options.timeout ?? 60_000, polling: 100 },
    after + count,
  );
  return pageStatus(page);
}

/** The visible text of an element, or null when it is hidden. */
export function visibleText(page: Page, selector: string): Promise<string | null> {
  return page.$eval(selector, (el) => ((el as HTMLElement).hidden ? null : (el.textContent ?? '')));
}
