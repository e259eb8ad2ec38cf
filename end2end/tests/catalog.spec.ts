import { test, expect, hydrated } from './fixtures';

// Runs against the bundled demo registry (registry name `demo`). The paging test also needs a
// registry named `synthetic` with 10,000 feature views
// (`cargo run -p server --example synthetic_registry -- --out registry.db`, served with
// `--registry synthetic=registry.db`); it fails when that registry is not served.

test('find a feature view by tag from the search box and open it', async ({ page, problems }) => {
  await page.goto('/catalog');
  await hydrated(page);
  await page.locator('main').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  const box = page.getByRole('searchbox', { name: 'Search the catalog' });
  await expect(box).toBeFocused();
  await box.fill('tag:pii=true');
  const suggestion = page.getByRole('option').filter({ hasText: 'Card_PII_Features' });
  await expect(suggestion).toBeVisible();
  await box.press('ArrowDown');
  await expect(suggestion).toHaveAttribute('aria-selected', 'true');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/registries\/demo\/projects\/fraud_detection\/feature-views\/Card_PII_Features$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Card_PII_Features');
  await expect(page.getByText('pii=true').first()).toBeVisible();
  expect(problems).toEqual([]);
});

test('Ctrl+K focuses the search box', async ({ page, problems }) => {
  await page.goto('/catalog/feature-views');
  await hydrated(page);
  await page.keyboard.press('Control+k');
  await expect(page.getByRole('searchbox', { name: 'Search the catalog' })).toBeFocused();
  expect(problems).toEqual([]);
});

test('the header search box works from every area, and /search keeps the query in it', async ({ page, problems }) => {
  await page.goto('/topology');
  await hydrated(page);
  await page.locator('main').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  const box = page.getByRole('banner').getByRole('searchbox', { name: 'Search the catalog' });
  await expect(box).toBeFocused();
  await box.fill('driver_hourly_stats');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=driver_hourly_stats$/);
  await expect(page.getByRole('link', { name: 'driver_hourly_stats' }).first()).toBeVisible();
  await page.reload();
  await expect(page.getByRole('banner').getByRole('searchbox', { name: 'Search the catalog' })).toHaveValue('driver_hourly_stats');
  expect(problems).toEqual([]);
});

test('an on-demand view shows its transformation source and request schema', async ({ page, problems }) => {
  await page.goto('/registries/demo/projects/driver_ranking/on-demand-feature-views/driver_trip_adjusted');
  await hydrated(page);
  await expect(page.locator('pre.catalog-source')).toContainText('def driver_trip_adjusted(inputs: pd.DataFrame) -> pd.DataFrame:');
  await expect(page.getByRole('heading', { name: 'Request schema' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('walk feature service → feature view → data source', async ({ page, problems }) => {
  await page.goto('/registries/demo/projects/driver_ranking/feature-services/driver_ranking_v1');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('driver_ranking_v1');
  await page.getByRole('table').getByRole('link', { name: 'driver_hourly_stats' }).click();
  await expect(page).toHaveURL(/\/feature-views\/driver_hourly_stats$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('driver_hourly_stats');
  await expect(page.getByRole('heading', { name: 'How to use' })).toBeVisible();
  await page.locator('.catalog-facts').getByRole('link', { name: 'driver_stats_source' }).first().click();
  await expect(page).toHaveURL(/\/data-sources\/driver_stats_source$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('driver_stats_source');
  await expect(page.getByRole('heading', { name: 'Used by' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('an exported CSV equals the filtered list', async ({ page, problems }) => {
  await page.goto('/catalog/feature-views?tag=team%3Dteam-a&registry=demo');
  await hydrated(page);
  const listed = (await page.locator('.catalog-table tbody tr td:first-child > a').allTextContents()).sort();
  expect(listed).toContain('driver_hourly_stats');
  expect(listed).toContain('driver_trend');
  expect(listed).not.toContain('merchant_risk');
  const href = await page.getByRole('link', { name: 'CSV' }).getAttribute('href');
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  const rows = (await res.text()).trim().split('\n');
  expect(rows[0]).toBe('registry,kind,project,name,description,owner,tags,created,updated,detail');
  expect(rows.slice(1).map((r) => r.split(',')[3]).sort()).toEqual(listed);
  expect(problems).toEqual([]);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('list filters are a plain GET form', async ({ page, problems }) => {
    await page.goto('/catalog/feature-views');
    await page.getByRole('textbox', { name: 'Owner' }).fill('alice');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/owner=alice/);
    const names = await page.locator('.catalog-table tbody tr td:first-child > a').allTextContents();
    expect(names.sort()).toEqual(['driver_hourly_stats', 'driver_trip_adjusted']);
    expect(problems).toEqual([]);
  });

  test('search works and opens the result', async ({ page, problems }) => {
    await page.goto('/search');
    const box = page.getByRole('searchbox', { name: 'Search the catalog' });
    await box.fill('kind:feature_service ranking');
    await box.press('Enter');
    await expect(page).toHaveURL(/\/search\?q=kind%3Afeature_service\+ranking/);
    await expect(page.getByRole('heading', { name: /^Feature services \(\d+\)$/ })).toBeVisible();
    await expect(page.getByRole('heading', { name: /^Feature views/ })).toHaveCount(0);
    await page.getByRole('link', { name: 'driver_ranking_v2' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('driver_ranking_v2');
    expect(problems).toEqual([]);
  });
});

// scripts/test.sh serves a synthetic registry (`--example synthetic_registry`, 50 projects
// of 200 views) from a second console and passes its address in FC_E2E_SYNTHETIC_URL; it may
// also be served by the main console under the name `synthetic`. Without it the test fails.
test('page through 10,000 synthetic feature views', async ({ page, problems }) => {
  const base = process.env.FC_E2E_SYNTHETIC_URL ?? '';
  const list = `${base}/catalog/feature-views?registry=synthetic`;
  const probe = await page.request.get(list);
  expect(await probe.text(), 'a `synthetic` registry of 10,000 views is served (FC_E2E_SYNTHETIC_URL)').toContain('of 10000');
  await page.goto(list);
  await hydrated(page);
  const count = page.getByTestId('list-count');
  await expect(count).toContainText('1–50 of 10000');
  await page.getByRole('link', { name: 'Next ›' }).click();
  await expect(count).toContainText('51–100 of 10000');
  await page.getByRole('link', { name: 'Last »' }).click();
  await expect(count).toContainText('9951–10000 of 10000');
  await expect(page.locator('.catalog-table tbody tr')).toHaveCount(50);
  await page.getByRole('link', { name: '‹ Previous' }).click();
  await expect(count).toContainText('9901–9950 of 10000');
  expect(problems).toEqual([]);
});
