import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/net.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-lock-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` on the shared DATA_DIR (embedded PGlite), in a process of its own. */
function start(port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: String(port), API_TOKENS: 'tok', WORKERS: 'off', LOG_LEVEL: 'silent' },
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr, url: `http://127.0.0.1:${port}` };
}

async function ready(url: string, exited: Promise<number | null>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready`);
}

const api = (url: string, route: string, body?: unknown) =>
  fetch(`${url}/api/v1${route}`, { method: body ? 'POST' : 'GET', headers: { authorization: 'Bearer tok', 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });

describe('one process per embedded database', () => {
  it('a second process on the same DATA_DIR stops with one line; after kill -9 of the first, a restart gets in and finds its tickets', async () => {
    const first = start(await freePort());
    await ready(first.url, first.exited);
    const created = await api(first.url, '/tickets', { type: 'password-reset', title: 'Locked out of VPN', requester: { email: 'eve@example.com' }, fields: { account: 'VPN' } });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };

    const second = start(await freePort());
    expect(await second.exited).toBe(1);
    expect(second.stderr().trim().split('\n')).toHaveLength(1);
    expect(second.stderr()).toMatch(/^switchboard: another Switchboard process is using the embedded database in .*sb-lock-.*pglite; .*DATABASE_URL/);
    // The first one is untouched.
    expect((await api(first.url, `/tickets/${key}`)).status).toBe(200);

    // kill -9 leaves the lock behind; it goes stale and a restart takes it over by itself.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = start(await freePort());
    await ready(third.url, third.exited);
    const found = await api(third.url, `/tickets/${key}`);
    expect(found.status).toBe(200);
    expect(((await found.json()) as { title: string }).title).toBe('Locked out of VPN');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 180_000);
});
