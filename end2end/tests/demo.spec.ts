import { test, expect, hydrated } from './fixtures';
import { startConsole, requireConsole, Console } from './console';

// What a first run shows: the server under test serves the bundled demo (no registry, no
// recovery probe configured). Every area has demo evidence, labelled as such; no page shows
// Leptos' raw "error running server function" text.

const RAW_ERROR = 'error running server function';

test('the editor opened without a registry says what is missing and offers the choices', async ({ page, problems }) => {
  for (const path of ['/permissions/edit', '/permissions/edit?registry=nope&project=x']) {
    await page.goto(path);
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Choose where the permission goes' })).toBeVisible();
    await expect(page.locator('main')).not.toContainText(RAW_ERROR);
    await expect(page.getByRole('link', { name: 'the permissions matrix' })).toHaveAttribute('href', '/permissions');
    await expect(page.getByRole('link', { name: 'New permission in driver_ranking' }))
      .toHaveAttribute('href', '/permissions/edit?registry=demo&project=driver_ranking');
  }
  await expect(page.locator('main')).toContainText('There is no registry named `nope`.');
  // A choice opens the form.
  await page.getByRole('link', { name: 'New permission in driver_ranking' }).click();
  await hydrated(page);
  await expect(page.getByRole('form', { name: 'Permission' })).toBeVisible();
});

test('the recovery page shows demo evidence, labelled as demo', async ({ page, problems }) => {
  await page.goto('/recovery');
  await hydrated(page);
  await expect(page.locator('.demo-note')).toContainText('serves the bundled demo');
  const rows = page.getByRole('table', { name: 'Components in recovery order' }).locator('tbody tr');
  await expect(rows).toHaveCount(4);
  // Measured: the demo registry's copy, backed up by the bundled file "Reset demo" restores.
  await expect(rows.nth(0)).toContainText('demo-registry.sqlite');
  await expect(rows.nth(0)).toContainText('demo: the bundled registry');
  // Made up, and each such line says so.
  await expect(rows.nth(1)).toContainText('demo, made up: Redis role master');
  await expect(rows.nth(2)).toContainText('demo, made up');
  const statuses = await rows.locator('.recovery-status').allTextContents();
  expect(statuses.filter((s) => s === 'unknown').length, statuses.join(', ')).toBeLessThan(4);
  await expect(page.locator('main')).not.toContainText(RAW_ERROR);
});

// Editing writes the demo registry's copy, so this runs a console of its own in demo mode
// (no --registry): its data folder gets a fresh copy of the bundled registry.
test.describe('the demo admin edits the demo registry', () => {
  let demo: Console | undefined;
  test.beforeAll(async () => {
    requireConsole();
    demo = await startConsole('demo');
  });
  test.afterAll(() => demo?.stop());

  test('a saved permission shows, and "Reset demo" restores the bundled registry', async ({ page, problems }) => {
    const at = (path: string) => `${demo?.base}${path}`;
    const project = at('/permissions?registry=demo&project=driver_ranking');
    const name = `e2e_demo_${Date.now()}`;
    const role = `e2e-demo-${Date.now()}`;

    await page.goto(project);
    await hydrated(page);
    const note = page.getByRole('region', { name: 'Demo data' });
    await expect(note).toContainText('Demo data.');
    await expect(note).toContainText('demo-registry.sqlite');
    await expect(page.getByText('Read-only')).toHaveCount(0);

    await page.getByRole('link', { name: 'New permission' }).click();
    await expect(page.getByRole('heading', { name: 'Edit permission' })).toBeVisible();
    await hydrated(page);
    const form = page.getByRole('form', { name: 'Permission' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('DESCRIBE', { exact: true }).check();
    await form.getByLabel('Roles (comma-separated)').fill(role);
    await form.getByLabel(/^Reason/).fill('e2e: try the demo editor');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('region', { name: 'Effect' }).getByRole('status')).toContainText(`Saved \`${name}\``);

    await page.goto(project);
    await hydrated(page);
    const matrix = page.locator('table.perm-matrix');
    await expect(matrix.getByRole('rowheader', { name: `role:${role}` })).toBeVisible();

    // Reset: the page loads again with the bundled registry.
    await page.getByRole('button', { name: 'Reset demo' }).click();
    await expect(matrix.getByRole('rowheader', { name: 'role:ranking-reader' })).toBeVisible();
    await expect(matrix.getByRole('rowheader', { name: `role:${role}` })).toHaveCount(0);
    await hydrated(page);
    await page.goto(at(`/permissions/edit?registry=demo&project=driver_ranking&name=${name}`));
    await hydrated(page);
    await expect(page.locator('main')).toContainText(`permission \`${name}\` does not exist`);
  });
});
