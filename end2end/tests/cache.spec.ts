import { test, expect, hydrated } from './fixtures';

// The demo: the bundled registry (probed at start-up) and the enterprise-shared manifests.
const DEPLOYMENTS = ['feast-system/shared-registry', 'team-a/team-a', 'team-b/team-b'];

/** Opens /cache once the start-up probe of the demo registry has been stored (polled over
 * plain HTTP, so no page load is aborted half-way). */
async function openProbed(page: import('@playwright/test').Page) {
  await expect
    .poll(async () => (await page.request.get('/cache')).text(), { timeout: 20_000 })
    .toContain('class="probe-ok"');
  await page.goto('/cache');
  await hydrated(page);
}

test('the cache page lists the demo deployments with their figures', async ({ page, problems }) => {
  await openProbed(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Registry cache');
  const table = page.locator('table.cache-table').first();
  for (const name of DEPLOYMENTS) await expect(table.getByRole('link', { name, exact: true })).toBeVisible();
  const shared = table.getByRole('row').filter({ hasText: 'feast-system/shared-registry' });
  await expect(shared).toContainText('sync');
  await expect(shared).toContainText('Production (low-latency)');
  await expect(table.getByRole('row').filter({ hasText: 'team-a/team-a' })).toContainText('0 (remote registry)');
  // The probe of the demo registry and its load-time history, with a text alternative.
  await expect(page.getByRole('row').filter({ hasText: 'demo' }).first()).toBeVisible();
  const history = page.locator('figure.cache-plot').first();
  await expect(history.locator('svg')).toBeVisible();
  await expect(history.locator('figcaption')).toContainText('probes of registry demo');
  expect(problems).toEqual([]);
});

test('a detail page shows the three plots, each with its text alternative', async ({ page, problems }) => {
  await openProbed(page);
  await page.getByRole('link', { name: 'feast-system/shared-registry', exact: true }).click();
  await expect(page).toHaveURL(/\/cache\/feast-system\/shared-registry$/);
  await expect(page.getByRole('heading', { level: 2, name: 'feast-system/shared-registry' })).toBeVisible();
  const figures = page.locator('figure.cache-plot');
  await expect(figures).toHaveCount(3);
  for (const title of ['Registry reads in the next 10 minutes', 'Registry copies against the memory limit', 'Full-load time of registry demo']) {
    const figure = figures.filter({ hasText: title });
    await expect(figure.locator('svg')).toBeVisible();
    const caption = figure.locator('figcaption');
    await expect(caption).not.toBeEmpty();
    // The figure is named by its text alternative (the SVG itself is hidden from assistive tech).
    const id = await caption.getAttribute('id');
    await expect(figure).toHaveAttribute('aria-labelledby', id ?? 'missing');
  }
  await expect(figures.filter({ hasText: 'next 10 minutes' }).locator('figcaption')).toContainText('copies of the registry');
  await expect(page.getByText('spec.services.onlineStore.server.workerConfigs.registryTTLSeconds').first()).toBeVisible();
  expect(problems).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the detail page is complete as served', async ({ page, problems }) => {
    await page.goto('/cache/feast-system/shared-registry');
    await expect(page.locator('figure.cache-plot svg')).toHaveCount(3);
    await expect(page.locator('figure.cache-plot figcaption')).toHaveCount(3);
    expect(problems).toEqual([]);
  });
});
