import { test, expect, hydrated } from './fixtures';

// The server under test reads the bundled demo manifests: the "Enterprise (shared registry)"
// example with a registry FeatureStore in feast-system and two tenants, team-a and team-b.

test('the topology page classifies the demo cluster and draws it', async ({ page, problems }) => {
  await page.goto('/topology');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Topology' })).toBeVisible();
  const table = page.locator('table.topology-table');
  for (const fs of ['feast-system/shared-registry', 'team-a/team-a', 'team-b/team-b']) {
    await expect(table.getByRole('link', { name: fs })).toBeVisible();
  }
  await expect(table).toContainText('Enterprise (shared registry)');
  // The cluster diagram is server-rendered SVG, with the Mermaid source to copy beside it.
  const diagram = page.getByRole('region', { name: 'Cluster diagram' });
  await expect(diagram.locator('svg').first()).toBeVisible();
  await diagram.getByText('Mermaid source').click();
  await expect(diagram.locator('pre code')).toContainText('flowchart');
  expect(problems).toEqual([]);
});

test('a FeatureStore page shows its class, checklist, violations and diagram', async ({ page, problems }) => {
  await page.goto('/topology');
  await hydrated(page);
  await page.getByRole('link', { name: 'team-a/team-a' }).click();
  await expect(page).toHaveURL(/\/topology\/team-a\/team-a$/);
  await expect(page.getByRole('heading', { name: 'team-a/team-a' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Checklist' })).toBeVisible();
  await expect(page.locator('table.topology-table')).toContainText('High availability');
  // What the API server would refuse (the CRD's schema and rules) apart from the guide's advice.
  await expect(page.getByRole('heading', { name: 'The API server would refuse this' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'The guide advises' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Conditions' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'FeatureStore diagram' }).locator('svg').first()).toBeVisible();
  // Back to the cluster.
  await page.getByRole('link', { name: '← All FeatureStores' }).click();
  await expect(page).toHaveURL(/\/topology$/);
  expect(problems).toEqual([]);
});

test('FeatureStore pages are deep links that render without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const res = await page.goto('/topology/feast-system/shared-registry');
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'feast-system/shared-registry' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Checklist' })).toBeVisible();
  // The older query form still opens the same FeatureStore.
  await page.goto('/topology?fs=team-b/team-b');
  await expect(page.getByRole('heading', { name: 'team-b/team-b' })).toBeVisible();
  // An unknown FeatureStore is a clear empty state, not an error page.
  await page.goto('/topology/nowhere/nothing');
  await expect(page.getByText('No such FeatureStore')).toBeVisible();
  await context.close();
});
