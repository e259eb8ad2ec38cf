import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, hydrated } from './fixtures';
import { Console, ROOT, requireConsole, startConsole } from './console';

// History and comparison write nothing of their own, but the timeline needs a change: this file
// starts its own console on two scratch copies of the bundled demo registry (`demo` and
// `staging`), saves a permission in `demo` through the editor, and reads what the recorder wrote.

const DEMO_REGISTRY = join(ROOT, 'server/demo/registry/registry.sqlite');
const PERMISSION = 'ranking_ml_engineers';
const EDITOR = `/permissions/edit?registry=demo&project=driver_ranking&name=${PERMISSION}`;

let console_: Console | undefined;
let scratch = '';
const at = (path: string) => `${console_?.base}${path}`;

test.beforeAll(async () => {
  requireConsole();
  scratch = mkdtempSync(join(tmpdir(), 'fc-e2e-history-'));
  for (const name of ['demo', 'staging']) copyFileSync(DEMO_REGISTRY, join(scratch, `${name}.sqlite`));
  console_ = await startConsole('history', [
    '--registry', `demo=sqlite:///${join(scratch, 'demo.sqlite')}`,
    '--registry', `staging=sqlite:///${join(scratch, 'staging.sqlite')}`,
  ]);
});

test.afterAll(async () => {
  console_?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test.describe.configure({ mode: 'serial' });

test('a console save is on the timeline with who made it, and its diff opens from the keyboard', async ({ page, problems }) => {
  test.setTimeout(90_000);
  const tag = `e2e-history-${Date.now()}`;
  await page.goto(at(EDITOR));
  await hydrated(page);
  const form = page.getByRole('form', { name: 'Permission' });
  await form.getByLabel('Tags (key=value per line)').fill(`history=${tag}`);
  await form.getByLabel(/^Reason/).fill('e2e: history');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('region', { name: 'Effect' }).getByRole('status')).toContainText('Saved');

  // The recorder writes the change once the registry's next snapshot is read.
  const timeline = at(`/history?registry=demo&project=driver_ranking&kind=permission&name=${PERMISSION}`);
  const entry = page.getByTestId('history-entry').first();
  await expect(async () => {
    await page.goto(timeline);
    await expect(entry).toContainText(tag, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  await expect(entry.getByTestId('history-change')).toHaveText('changed');
  await expect(entry.getByTestId('history-audit')).toContainText('ada-admin');

  const summary = entry.locator('details summary').first();
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(entry.locator('details').first()).toHaveAttribute('open', '');
  await expect(entry.locator('details').first()).toContainText(tag);
});

test("an object's page links to its history", async ({ page, problems }) => {
  await page.goto(at('/registries/demo/projects/driver_ranking/feature-views/driver_hourly_stats'));
  await hydrated(page);
  await page.getByTestId('object-history').click();
  await expect(page).toHaveURL(/\/history\?.*name=driver_hourly_stats/);
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  // Nothing changed this view since the console started: the page says so instead of a blank.
  await expect(page.getByTestId('history-empty')).toBeVisible();
});

test('the comparison page shows what differs between two registries', async ({ page, problems }) => {
  // `demo` has the permission saved above; `staging` still has the bundled definition.
  await page.goto(at('/compare?left=staging&right=demo&kind=permission'));
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Compare', level: 1 })).toBeVisible();
  await expect(page.getByTestId('compare-counts')).toContainText('Different: 1');
  const row = page.getByTestId('compare-row').filter({ hasText: PERMISSION });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('tags');
});
