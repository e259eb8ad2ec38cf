import { test as base, expect, Page } from '@playwright/test';

// Every test fails if the page logs a console error, throws, or a request fails.
export const test = base.extend<{ problems: string[] }>({
  problems: async ({ page, javaScriptEnabled }, use) => {
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => {
      // With JavaScript off, Chromium cancels the bundle's preloads itself: not a failure.
      const bundle = new URL(req.url()).pathname.startsWith('/pkg/');
      if (!javaScriptEnabled && bundle) return;
      // A reload or navigation cancels page code still downloading (lazily loaded routes):
      // not a failure. A missing or broken file still shows up as an HTTP error below.
      if (bundle && req.failure()?.errorText === 'net::ERR_ABORTED') return;
      problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400 && !res.url().includes('/no/such/page'))
        problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    await use(problems);
    expect(problems, 'console errors or failed requests').toEqual([]);
  },
});

export { expect };

/** Waits until the wasm bundle has hydrated the page (the app marks <body> when it has). */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export const AREAS = [
  { href: '/catalog', label: 'Catalog', heading: 'Catalog' },
  { href: '/history', label: 'History', heading: 'History' },
  { href: '/compare', label: 'Compare', heading: 'Compare' },
  { href: '/permissions', label: 'Permissions', heading: 'Permissions' },
  { href: '/topology', label: 'Topology', heading: 'Topology' },
  { href: '/cache', label: 'Registry cache', heading: 'Registry cache' },
  { href: '/recovery', label: 'Recovery', heading: 'Recovery' },
];
