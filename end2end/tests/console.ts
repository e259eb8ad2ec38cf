import { spawn, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// A console of a spec's own, for tests that change what they read (the shared server must stay
// as the other specs expect it): development mode on a free loopback port, a scratch data
// folder, the built site.

export const ROOT = resolve(__dirname, '../..');
// The release build scripts/test.sh makes with scripts/start.sh --check: what users start.
export const CONSOLE_BIN = process.env.FC_CONSOLE_BIN ?? join(ROOT, 'target/release/feast-console');
export const SITE_ROOT = process.env.FC_SITE_ROOT ?? join(ROOT, 'target/site');

/** Fails (never skips) a spec that needs the console binary when it is not built. */
export function requireConsole(): void {
  if (!existsSync(CONSOLE_BIN)) {
    throw new Error(`needs ${CONSOLE_BIN}: build it with scripts/start.sh --build-only (scripts/test.sh does)`);
  }
}

export interface Console {
  base: string;
  dataDir: string;
  stop: () => void;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => done(port));
    });
  });
}

/** Starts `feast-console serve` with `args` added and waits until /readyz answers. */
export async function startConsole(tag: string, args: string[] = []): Promise<Console> {
  const workDir = mkdtempSync(join(tmpdir(), `fc-e2e-${tag}-`));
  const dataDir = join(workDir, 'data');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(
    CONSOLE_BIN,
    ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--site-root', SITE_ROOT,
      '--log-level', 'warn', ...args],
    { stdio: 'ignore' },
  );
  const stop = () => {
    server.kill('SIGTERM');
    rmSync(workDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    if (server.exitCode !== null) {
      stop();
      throw new Error(`console exited with ${server.exitCode}`);
    }
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { base, dataDir, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error(`${base} did not answer`);
}
