import { test as plain } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';

// What each person sees is Feast's DESCRIBE decision for them. On the bundled demo registry in
// development mode: ada-admin (Feast roles feast-admin, catalog-reader) may describe all three
// projects; vic-viewer (ranking-team) only driver_ranking.

async function switchTo(page: import('@playwright/test').Page, user: string) {
  await page.goto('/catalog');
  await hydrated(page);
  await page.getByTestId('demo-user').selectOption(user);
  await page.getByRole('button', { name: 'Switch user' }).click();
  await expect(page.getByTestId('demo-user')).toHaveValue(user);
  await hydrated(page);
}

test('two demo users see different catalogs, search results and permission rows', async ({ page, problems }) => {
  await page.goto('/catalog');
  await hydrated(page);
  const projects = page.locator('main a[href^="/registries/demo/projects/"]');
  await expect(projects.filter({ hasText: 'fraud_detection' })).toHaveCount(1);
  await expect(projects.filter({ hasText: 'recommendations' })).toHaveCount(1);

  await switchTo(page, 'vic-viewer');
  await expect(projects.filter({ hasText: 'driver_ranking' })).toHaveCount(1);
  await expect(projects.filter({ hasText: 'fraud_detection' })).toHaveCount(0);
  await expect(projects.filter({ hasText: 'recommendations' })).toHaveCount(0);

  // As-you-type search offers only what vic may describe.
  const box = page.getByRole('searchbox', { name: 'Search the catalog' });
  await box.fill('driver');
  await expect(page.getByRole('option').filter({ hasText: 'driver_hourly_stats' })).toBeVisible();
  await box.fill('tag:pii=true');
  await expect(page.getByRole('option').filter({ hasText: 'Card_PII_Features' })).toHaveCount(0);

  // The read-only permissions page: rows for driver_ranking's objects, no other project offered.
  await page.goto('/permissions?registry=demo&project=driver_ranking');
  await hydrated(page);
  await expect(page.getByRole('main')).toContainText('driver_hourly_stats');
  await expect(page.locator('option[value="fraud_detection"]')).toHaveCount(0);

  // ada again: every project, and the PII view is found.
  await switchTo(page, 'ada-admin');
  await expect(projects.filter({ hasText: 'fraud_detection' })).toHaveCount(1);
  await box.fill('tag:pii=true');
  await expect(page.getByRole('option').filter({ hasText: 'Card_PII_Features' })).toBeVisible();
  expect(problems).toEqual([]);
});

plain('a deep link to a hidden object gives the same 404 as a missing one', async ({ page, context, baseURL }) => {
  const url = new URL(baseURL ?? 'http://127.0.0.1');
  await context.addCookies([{ name: 'fc_demo_user', value: 'vic-viewer', domain: url.hostname, path: '/' }]);
  const hidden = await page.goto('/registries/demo/projects/fraud_detection/feature-views/Card_PII_Features');
  const hiddenText = (await page.locator('main').innerText()).replace('Card_PII_Features', 'NAME');
  const missing = await page.goto('/registries/demo/projects/fraud_detection/feature-views/no_such_view');
  const missingText = (await page.locator('main').innerText()).replace('no_such_view', 'NAME');
  expect(hidden?.status()).toBe(404);
  expect(missing?.status()).toBe(404);
  expect(hiddenText).toBe(missingText);
});
