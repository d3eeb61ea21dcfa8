import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/net.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-build-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', WORKERS: 'off', ...extra });

/** Run a plain-JavaScript script of the project (no TypeScript loader) to its end. */
function run(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: env(extra) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm start runs the build of the sources', { timeout: 120_000 }, () => {
  it('a bad value stops it with the same one line as the sources give', async () => {
    const { code, stderr } = await run(['scripts/start.mjs'], { PORT: 'eighty', DATA_DIR: path.join(tmp, 'bad') });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('switchboard: invalid configuration: PORT must be a whole number between 0 and 65535 (got "eighty")');
  });

  it('on a fresh DATA_DIR it becomes ready and finds the migrations, the sample catalog and articles and the web assets next to the sources', async () => {
    const port = await freePort();
    // Exactly what package.json's start script runs (`node <flags> scripts/start.mjs`).
    const startScript = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(startScript).toMatch(/^node .*scripts\/start\.mjs$/);
    const child = spawn(process.execPath, startScript.split(/\s+/).slice(1), {
      cwd: root,
      env: { ...env({ PORT: String(port), DATA_DIR: path.join(tmp, 'fresh') }), LOG_LEVEL: 'info' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 90_000;
      let ready = false;
      while (!ready && Date.now() < deadline && child.exitCode === null) {
        ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready, stderr).toBe(true);
      expect(stdout).toMatch(/Switchboard listening on .* on Node v24\.\d+\.\d+; catalog built-in sample; channels webhook, web; API off; no warnings/);
      const form = await (await fetch(`${url}/`)).text();
      expect(form).toContain('New laptop');
      const css = /href="(\/assets\/app\.css\?v=[^"]+)"/.exec(form)?.[1];
      expect(css).toBeDefined();
      const stylesheet = await fetch(`${url}${css}`);
      expect(stylesheet.status).toBe(200);
      expect(await stylesheet.text()).toBe(fs.readFileSync(path.join(root, 'src/channels/web/assets/app.css'), 'utf8'));
      expect((await fetch(`${url}/kb/vpn-connect`)).status).toBe(200);
      // A fresh DATA_DIR is a copy of the template, made with 1 MB WAL segments (16 MB is initdb's default).
      const wal = path.join(tmp, 'fresh', 'pglite', 'pg_wal');
      const segments = fs.readdirSync(wal).filter((name) => /^[0-9A-F]{24}$/.test(name));
      expect(segments.length).toBeGreaterThan(0);
      for (const segment of segments) expect(fs.statSync(path.join(wal, segment)).size).toBe(1024 * 1024);
      // ... and of its one database: initdb's template0 and template1 (half the files to copy) are dropped.
      expect(fs.readdirSync(path.join(tmp, 'fresh', 'pglite', 'base'))).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('is rebuilt when a source file changed, and only then', async () => {
    const first = await run(['scripts/build.mjs']);
    expect(first.code, first.stderr).toBe(0);
    const again = await run(['scripts/build.mjs']);
    expect(again.stdout).toBe(first.stdout);
    const source = path.join(root, 'src/cli.ts');
    const now = new Date();
    fs.utimesSync(source, now, now);
    const rebuilt = await run(['scripts/build.mjs']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/\/dist-[^/]+\/main\.js\n$/);
    expect(rebuilt.stdout).not.toBe(first.stdout);
  });
});
