import { test as plain } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, hydrated } from './fixtures';
import { CONSOLE_BIN, ROOT, SITE_ROOT, freePort, requireConsole } from './console';

// The permission editor writes its registry, so this file starts its own console (development
// mode: the default demo user ada-admin is a console admin) on a free loopback port, reading a
// scratch copy of the bundled demo registry named `demo`:
//   feast-console serve --listen 127.0.0.1:PORT --data-dir TMP/data --site-root target/site \
//     --registry demo=sqlite:///TMP/registry.sqlite
// The bundled demo registry itself is shown read-only and never written.

const DEMO_REGISTRY = join(ROOT, 'server/demo/registry/registry.sqlite');

let server: ChildProcess | undefined;
let workDir = '';
let base = '';


test.beforeAll(async () => {
  requireConsole();
  workDir = mkdtempSync(join(tmpdir(), 'fc-e2e-permissions-'));
  const registry = join(workDir, 'registry.sqlite');
  copyFileSync(DEMO_REGISTRY, registry);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    CONSOLE_BIN,
    ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', join(workDir, 'data'), '--site-root', SITE_ROOT,
      '--registry', `demo=sqlite:///${registry}`, '--log-level', 'warn'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 150; i++) {
    if (server.exitCode !== null) throw new Error(`console exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base} did not answer`);
});

test.afterAll(async () => {
  server?.kill('SIGTERM');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const PROJECT = '/permissions?registry=demo&project=driver_ranking';
const at = (path: string) => `${base}${path}`;

test('the matrix explains its cells and the lints sit beside it', async ({ page, problems }) => {
  await page.goto(at(PROJECT));
  await hydrated(page);
  await expect(page.getByRole('heading', { name: /Access matrix/ })).toBeVisible();
  const matrix = page.locator('table.perm-matrix');
  await expect(matrix.getByRole('rowheader', { name: 'role:ranking-reader' })).toBeVisible();
  // A cell carries its counts only; opening it fetches the explanation into the panel below.
  await matrix.locator('button[name="explain"]').first().click();
  await expect(page.locator('#perm-why li').first()).toBeVisible();
  await expect(page).not.toHaveURL(/explain=/);
  await expect(page.getByRole('complementary').getByText('required_tags_ignored').first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' }).first()).toHaveAttribute('href', /^\/permissions\/matrix\.csv\?/);
});

test('as a user: every object and action for the roles typed in', async ({ page, problems }) => {
  await page.goto(at(`${PROJECT}&roles=ranking-reader`));
  await hydrated(page);
  const section = page.getByRole('region', { name: 'As a user' });
  await expect(section.getByText('A user with roles [ranking-reader]')).toBeVisible();
  await expect(section.getByText(/granted by ranking_readers/).first()).toBeVisible();
});

test('as a user: a pasted token is read in the browser the way Feast reads it', async ({ page, problems }) => {
  await page.goto(at(PROJECT));
  await hydrated(page);
  const section = page.getByRole('region', { name: 'As a user' });
  const payload = Buffer.from(JSON.stringify({
    preferred_username: 'tess',
    roles: ['ranking-reader'],
    realm_access: { roles: ['ignored-by-feast'] },
  })).toString('base64url');
  await section.getByLabel('Token').fill(`e30.${payload}.signature`);
  await expect(section.getByRole('status')).toContainText('realm roles ignored by Feast: ignored-by-feast');
  await expect(section.getByLabel('Roles')).toHaveValue('ranking-reader');
  await section.getByRole('button', { name: 'Show access' }).click();
  await expect(page).toHaveURL(/roles=ranking-reader/);
  await expect(page).not.toHaveURL(/signature/);
  await expect(page.getByRole('region', { name: 'As a user' }).getByText(/granted by ranking_readers/).first()).toBeVisible();
});

test('an admin edits a permission, sees the preview, saves and finds the audit record', async ({ page, problems }) => {
  const role = `e2e-role-${Date.now()}`;
  const reason = `e2e: grant ${role}`;
  await page.goto(at(PROJECT));
  await hydrated(page);
  await page.getByRole('link', { name: 'ranking_readers' }).click();
  await expect(page.getByRole('heading', { name: 'Edit permission' })).toBeVisible();
  await hydrated(page);
  const form = page.getByRole('form', { name: 'Permission' });
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('ranking_readers');
  const roles = form.getByLabel('Roles (comma-separated)');
  await roles.fill(`${await roles.inputValue()}, ${role}`);

  // Computed in the browser as you type.
  const live = page.getByRole('region', { name: 'Live preview' });
  await expect(live.getByRole('row').filter({ hasText: `role:${role}` }).first()).toContainText('gains');

  await form.getByRole('button', { name: 'Preview' }).click();
  const effect = page.getByRole('region', { name: 'Effect' });
  await expect(effect.getByRole('row').filter({ hasText: `role:${role}` }).first()).toContainText('gains');

  // Saving needs a reason.
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText('say why')).toBeVisible();
  await form.getByLabel(/^Reason/).fill(reason);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(effect.getByRole('status')).toContainText('Saved `ranking_readers`');

  // The Python that keeps the saved permission through `feast apply`, copied from the keyboard.
  const python = effect.getByRole('region', { name: 'Python for your feature repository' });
  await expect(python).toContainText('feast apply');
  await expect(python.locator('pre')).toContainText('ranking_readers = Permission(');
  await expect(python.locator('pre')).toContainText(`"${role}"`);
  await python.getByRole('button', { name: 'Copy Python' }).focus();
  await page.keyboard.press('Enter');
  await expect(python).toContainText(/Copied\.|did not allow copying/);

  await page.goto(at('/permissions/audit?permission=ranking_readers'));
  await hydrated(page);
  const record = page.getByRole('row').filter({ hasText: reason });
  await expect(record).toContainText('ada-admin');
  await expect(record).toContainText('update');
  await record.getByText('Show').click();
  await expect(record.locator('pre').nth(1)).toContainText(role);

  // The matrix shows the new principal once saved (the console re-reads the registry).
  await page.goto(at(PROJECT));
  await expect(page.locator('table.perm-matrix').getByRole('rowheader', { name: `role:${role}` })).toBeVisible();
});

test('the live preview loads its code on the first edit and runs the patterns in the browser', async ({ page, problems }) => {
  // The preview's module (pattern compiler, regex engine and its Unicode tables, evaluator) is
  // not part of a first visit to the editor (issue #20): it is fetched when the form first changes.
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/pkg/split_live_preview')) fetched.push(r.url());
  });
  await page.goto(at('/permissions/edit?registry=demo&project=driver_ranking&name=ranking_readers'));
  await hydrated(page);
  expect(fetched).toEqual([]);
  const form = page.getByRole('form', { name: 'Permission' });
  const patterns = form.getByLabel(/^Name patterns/);
  await expect(patterns).toHaveValue('driver_.*');
  const live = page.getByRole('region', { name: 'Live preview' });
  // Case-insensitive matching and \w use the regex engine's Unicode tables, which now travel
  // with the preview's module: the same objects match as with `driver_.*`.
  await patterns.fill('(?i)DRIVER_\\w*.*');
  await expect(live).toContainText('No change in effective access.');
  expect(fetched).toHaveLength(1);
  await patterns.fill('(?i)NO_SUCH_\\w+');
  await expect(live.getByRole('row').filter({ hasText: 'loses' }).first()).toBeVisible();
  expect(fetched).toHaveLength(1);
});

test('two admins edit the same permission: the later save is refused and nothing is overwritten', async ({ page, context, problems }) => {
  const editor = '/permissions/edit?registry=demo&project=driver_ranking&name=ranking_ml_engineers';
  const other = await context.newPage();
  for (const p of [page, other]) {
    await p.goto(at(editor));
    await hydrated(p);
  }
  const first = `e2e-first-${Date.now()}`;
  const otherForm = other.getByRole('form', { name: 'Permission' });
  await otherForm.getByLabel('Tags (key=value per line)').fill(`edited=${first}`);
  await otherForm.getByLabel(/^Reason/).fill('first edit');
  await otherForm.getByRole('button', { name: 'Save' }).click();
  await expect(other.getByRole('region', { name: 'Effect' }).getByRole('status')).toContainText('Saved');

  const form = page.getByRole('form', { name: 'Permission' });
  await form.getByLabel('Tags (key=value per line)').fill('edited=second');
  await form.getByLabel(/^Reason/).fill('second edit');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('region', { name: 'Effect' }).getByRole('alert').first()).toContainText('changed since it was loaded');

  // The first edit stands.
  await page.goto(at(editor));
  await hydrated(page);
  await expect(form.getByLabel('Tags (key=value per line)')).toHaveValue(`edited=${first}`);
  await other.close();
});

plain('a viewer cannot reach the editor', async ({ page, context }) => {
  const url = new URL(base);
  await context.addCookies([{ name: 'fc_demo_user', value: 'vic-viewer', domain: url.hostname, path: '/' }]);
  const editor = await page.goto(at('/permissions/edit?registry=demo&project=driver_ranking&name=ranking_readers'));
  expect(editor?.status()).toBe(403);
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  const audit = await page.goto(at('/permissions/audit'));
  expect(audit?.status()).toBe(403);
});
