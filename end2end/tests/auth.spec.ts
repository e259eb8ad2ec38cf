import { test as base, expect, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hydrated } from './fixtures';
import { CONSOLE_BIN, ROOT, SITE_ROOT, freePort, requireConsole } from './console';

// Sign-in end to end: a real OpenID Connect provider (scripts/oidc, npm oidc-provider) and a
// console configured against it, both started here on free loopback ports. The browser signs in
// through the provider's own login page, sees the navigation its role allows, and signs out.

const PROVIDER = join(ROOT, 'scripts/oidc/provider.mjs');
const SECRET = 'e2e-only-console-secret';

let provider: ChildProcess | undefined;
let consoleServer: ChildProcess | undefined;
let dataDir = '';
let consoleUrl = '';


async function waitFor(url: string, child: ChildProcess) {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer`);
}


// Console problems only: the provider's pages are not ours to judge (e.g. its missing favicon).
const test = base.extend<{ problems: string[] }>({
  problems: async ({ page }, use) => {
    const problems: string[] = [];
    const ours = (url: string) => url.startsWith(consoleUrl);
    page.on('console', (msg) => {
      if (msg.type() === 'error' && ours(page.url())) problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', (res) => {
      if (ours(res.url()) && res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    await use(problems);
    expect(problems, 'console errors or failed requests').toEqual([]);
  },
});

test.describe('sign-in with a real identity provider', () => {
  test.beforeAll(async () => {
    requireConsole();
    if (!existsSync(join(ROOT, 'scripts/oidc/node_modules/oidc-provider'))) {
      throw new Error('needs scripts/oidc/node_modules (scripts/setup.sh installs it)');
    }
    const [idpPort, consolePort] = [await freePort(), await freePort()];
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    const issuer = `http://127.0.0.1:${idpPort}`;
    provider = spawn('node', [PROVIDER], {
      cwd: join(ROOT, 'scripts/oidc'),
      env: {
        ...process.env,
        PORT: String(idpPort),
        CLIENT_SECRET: SECRET,
        REDIRECT_URIS: `${consoleUrl}/auth/callback`,
        POST_LOGOUT_REDIRECT_URIS: `${consoleUrl}/auth/signed-out`,
      },
      stdio: 'ignore',
    });
    await waitFor(`${issuer}/.well-known/openid-configuration`, provider);
    dataDir = mkdtempSync(join(tmpdir(), 'fc-e2e-auth-'));
    consoleServer = spawn(
      CONSOLE_BIN,
      ['serve', '--listen', `127.0.0.1:${consolePort}`, '--data-dir', dataDir, '--site-root', SITE_ROOT,
        '--oidc-issuer-url', issuer, '--public-url', consoleUrl, '--log-level', 'warn'],
      {
        env: { ...process.env, FEAST_CONSOLE_OIDC_CLIENT_SECRET: SECRET, FEAST_CONSOLE_COOKIE_SECURE: 'false' },
        stdio: 'ignore',
      },
    );
    await waitFor(`${consoleUrl}/readyz`, consoleServer);
  });

  test.afterAll(async () => {
    consoleServer?.kill('SIGTERM');
    provider?.kill('SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function signIn(page: Page, user: string, path: string) {
    await page.goto(`${consoleUrl}${path}`);
    // The provider's real login form.
    await page.locator('input[name="login"]').fill(user);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await expect(page).toHaveURL(`${consoleUrl}${path}`);
    await hydrated(page);
  }

  test('an sre signs in, sees the areas the role allows, and signs out', async ({ page, problems }) => {
    await signIn(page, 'sam', '/cache');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Registry cache');
    await expect(page.getByTestId('identity')).toContainText('sam');
    await expect(page.getByTestId('identity')).toContainText('sre');
    await expect(page.getByTestId('auth-off-banner')).toHaveCount(0);
    const nav = page.getByRole('navigation', { name: 'Areas' });
    // Every area; Permissions is the read-only matrix (editing and the audit log are admin's).
    await expect(nav.getByRole('link')).toHaveText(['Catalog', 'History', 'Compare', 'Permissions', 'Topology', 'Registry cache', 'Recovery']);
    const editor = await page.request.get(`${consoleUrl}/permissions/edit`, { maxRedirects: 0 });
    expect(editor.status()).toBe(403);
    // Client-side navigation keeps working for allowed areas.
    await nav.getByRole('link', { name: 'Recovery', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Recovery');

    // No token in anything the browser can read. (Cookies ignore ports: the provider's own
    // cookies on 127.0.0.1 show up here too, so only the console's are checked.)
    const cookies = (await page.context().cookies(consoleUrl)).filter((c) => c.name.startsWith('fc_'));
    expect(cookies.map((c) => c.name)).toEqual(['fc_session']);
    expect(cookies[0].httpOnly).toBe(true);
    expect(cookies[0].sameSite).toBe('Lax');

    await page.getByRole('button', { name: 'Sign out' }).click();
    // RP-initiated logout: the provider asks for confirmation, then sends the browser back.
    await page.getByRole('button', { name: /sign me out/i }).click();
    await expect(page).toHaveURL(`${consoleUrl}/auth/signed-out`);
    await expect(page.getByTestId('signed-out')).toBeVisible();
    expect((await page.context().cookies(consoleUrl)).filter((c) => c.name === 'fc_session')).toEqual([]);

    // Signed out means signed out: a page sends the browser to the provider again.
    await page.goto(`${consoleUrl}/catalog`);
    await expect(page.locator('input[name="login"]')).toBeVisible();
    expect(problems).toEqual([]);
  });

  test('a viewer sees catalog, permissions (read-only) and topology, and is refused the rest', async ({ page }) => {
    await signIn(page, 'vic', '/catalog');
    const nav = page.getByRole('navigation', { name: 'Areas' });
    await expect(nav.getByRole('link')).toHaveText(['Catalog', 'History', 'Compare', 'Permissions', 'Topology']);
    const editor = await page.request.get(`${consoleUrl}/permissions/edit`, { maxRedirects: 0 });
    expect(editor.status()).toBe(403);
    const refused = await page.request.get(`${consoleUrl}/recovery`, { maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    const api = await page.request.post(`${consoleUrl}/api/sre/cache_anything`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(api.status()).toBe(403);
  });
});
