import { test, expect, hydrated } from './fixtures';

// The server under test runs with no recovery probe configured and the bundled demo manifests:
// every component is listed anyway, in the guide's recovery order, each with a status.

const ORDER = [
  ['registry_db', 'Registry DB', '1 — critical'],
  ['online_store', 'Online store', '2 — high'],
  ['offline_store', 'Offline store', '3 — medium'],
  ['operator_crds', 'Operator and CRDs', '4 — low'],
];

test('the recovery page shows the priority table in recovery order', async ({ page, problems }) => {
  await page.goto('/recovery');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Recovery' })).toBeVisible();
  await expect(page.locator('.recovery-readiness')).toContainText(/Ready|Not known|Not ready/);
  const table = page.getByRole('table', { name: 'Components in recovery order' });
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(4);
  for (const [i, [id, label, priority]] of ORDER.entries()) {
    const row = rows.nth(i);
    await expect(row).toHaveAttribute('data-component', id);
    await expect(row.getByRole('rowheader')).toHaveText(label);
    await expect(row.locator('td').first()).toHaveText(priority);
    await expect(row.locator('.recovery-status')).toHaveText(/^(met|at risk|unknown|breached)$/);
  }
  // The operator row has evidence from the demo manifests.
  await expect(rows.nth(3)).toContainText('FeatureStore(s) in');
  expect(problems).toEqual([]);
});

test('the recovery exports download the same table', async ({ page, request, problems }) => {
  await page.goto('/recovery');
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'CSV' })).toHaveAttribute('href', '/recovery/export.csv');
  const csv = await request.get('/recovery/export.csv');
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trim().split('\n');
  expect(lines.map((l) => l.split(',')[1]).slice(1)).toEqual(ORDER.map((o) => o[0]));
  const json = await (await request.get('/recovery/export.json')).json();
  expect(json.components.map((c: { component: string }) => c.component)).toEqual(ORDER.map((o) => o[0]));
  expect(problems).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the recovery table is server-rendered', async ({ page, problems }) => {
    await page.goto('/recovery');
    const rows = page.getByRole('table', { name: 'Components in recovery order' }).locator('tbody tr');
    await expect(rows).toHaveCount(4);
    await expect(rows.first().getByRole('rowheader')).toHaveText('Registry DB');
    await expect(page.locator('.recovery-readiness')).toBeVisible();
    expect(problems).toEqual([]);
  });
});

// Per deployment: the server under test reads the bundled demo manifests (a shared registry in
// feast-system and two tenants using it), with no probe configured.
test('each deployment has its own priority table, linked from the recovery page', async ({ page, problems }) => {
  await page.goto('/recovery');
  await hydrated(page);
  const list = page.getByRole('table', { name: 'Readiness per deployment' });
  const row = list.locator('tr[data-deployment="feast-system/shared-registry"]');
  await expect(row.locator('.recovery-status')).toHaveText(/^(met|at risk|unknown|breached)$/);
  await row.getByRole('link', { name: 'feast-system/shared-registry' }).click();
  await expect(page).toHaveURL(/\/recovery\/feast-system\/shared-registry$/);
  const table = page.getByRole('table', { name: 'Components of feast-system/shared-registry in recovery order' });
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(4);
  for (const [i, [id, label, priority]] of ORDER.entries()) {
    await expect(rows.nth(i)).toHaveAttribute('data-component', id);
    await expect(rows.nth(i).getByRole('rowheader')).toHaveText(label);
    await expect(rows.nth(i).locator('td').first()).toHaveText(priority);
  }
  await expect(page.locator('.recovery-readiness')).toBeVisible();
  // No Redis probe is configured: the online row says so for this deployment's Redis store.
  await expect(rows.nth(1)).toContainText("no probe configured for this deployment's Redis online store");
  await expect(rows.nth(0)).toContainText('Secret `feast-registry-store`, not read');
  expect(problems).toEqual([]);
});

test('a tenant with a remote registry shows the serving deployment\'s registry row', async ({ page, problems }) => {
  await page.goto('/recovery/team-a/team-a');
  await hydrated(page);
  const rows = page.getByRole('table', { name: 'Components of team-a/team-a in recovery order' }).locator('tbody tr');
  await expect(rows.first()).toContainText('served by FeatureStore feast-system/shared-registry');
  expect(problems).toEqual([]);
});

// Not using the `problems` fixture: the 404 is the point here.
test('an unknown deployment gets a clear not-found state', async ({ page }) => {
  const response = await page.goto('/recovery/nowhere/nothing');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'No such deployment' })).toBeVisible();
  await expect(page.locator('.recovery-not-found')).toContainText('nowhere/nothing');
});
