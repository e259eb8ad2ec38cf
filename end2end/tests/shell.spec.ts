import { test, expect, hydrated, AREAS } from './fixtures';

test('the server renders the shell before any script runs', async ({ request }) => {
  const res = await request.get('/');
  expect(res.status()).toBe(200);
  const html = await res.text();
  const text = html.replaceAll('<!>', ''); // Leptos hydration markers
  expect(text).toContain('aria-label="Areas"');
  expect(text).toContain('<h1>Catalog</h1>');
  for (const area of AREAS) expect(html).toContain(`href="${area.href}"`);
  expect(html).toContain('/pkg/feast-console.js');
  // The bundle itself is served.
  expect((await request.get('/pkg/feast-console.js')).status()).toBe(200);
  expect((await request.get('/pkg/feast-console.wasm')).status()).toBe(200);
  expect((await request.get('/pkg/feast-console.css')).status()).toBe(200);
});

test('hydration makes the theme toggle work and the choice persists', async ({ page, problems }) => {
  await page.goto('/catalog');
  await hydrated(page);
  const html = page.locator('html');
  const toggle = page.getByTestId('theme-toggle');
  const before = await toggle.getAttribute('aria-pressed');
  await toggle.click();
  const expected = before === 'true' ? 'light' : 'dark';
  await expect(html).toHaveAttribute('data-theme', expected);
  await expect(toggle).toHaveAttribute('aria-pressed', expected === 'dark' ? 'true' : 'false');
  // The server renders the stored choice after a reload.
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', expected);
  expect(problems).toEqual([]);
});

test('navigation reaches every area', async ({ page, problems }) => {
  await page.goto('/');
  await hydrated(page);
  const nav = page.getByRole('navigation', { name: 'Areas' });
  for (const area of AREAS) {
    await nav.getByRole('link', { name: area.label, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${area.href}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(area.heading);
    await expect(nav.getByRole('link', { name: area.label, exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page).toHaveTitle(`${area.heading} · feast-console`);
  }
  expect(problems).toEqual([]);
});

test('landmarks and keyboard: skip link, labelled navigation, main', async ({ page }) => {
  await page.goto('/topology');
  await hydrated(page);
  await expect(page.getByRole('banner')).toBeVisible();
  await expect(page.getByRole('main')).toBeVisible();
  await expect(page.getByRole('contentinfo')).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
});

test('an unknown address shows a not-found page', async ({ page }) => {
  const res = await page.goto('/no/such/page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('pages render and links navigate', async ({ page, problems }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Catalog');
    const nav = page.getByRole('navigation', { name: 'Areas' });
    for (const area of AREAS) {
      await nav.getByRole('link', { name: area.label, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`${area.href}$`));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(area.heading);
    }
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
    expect(problems).toEqual([]);
  });
});
