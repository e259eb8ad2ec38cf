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
