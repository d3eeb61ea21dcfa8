/**
 * Cold start and idle memory on the embedded database (issue "Performance at the limit", items
 * 4 and 7): `npm start` to `/readyz` 200 on a fresh and on a reused DATA_DIR, then the process's
 * resident memory after it has been idle for a few seconds. Run: `npm run bench:start`
 * (BENCH_START_RUNS=3 by default). Targets: < 2 s to ready both ways, idle RSS < 300 MB.
 * A fresh DATA_DIR is a copy of the initialised, migrated template in node_modules/.cache/switchboard
 * (src/db/pglite-template.ts), made by the first fresh start of an install; BENCH_START_NO_TEMPLATE=1
 * removes it first, so the first fresh run shows that once-per-install cost. The build npm start
 * runs (scripts/build.mjs) is brought up to date before the first run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs, { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const RUNS = Number(process.env.BENCH_START_RUNS ?? 3);
/** package.json's start script (`node <flags> scripts/start.mjs`) without the leading `node`. */
const startScript = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
const startArgs = startScript.split(/\s+/).slice(1);
const IDLE_MS = 5_000;
const root = path.resolve(import.meta.dirname, '..');

interface Run {
  readyMs: number;
  /** CPU time the process used until ready (user + system): what the start costs, whatever else runs on the machine. */
  cpuMs: number;
  rssMb: number;
}

/** utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function waitReady(port: number, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startOnce(dataDir: string, port: number): Promise<Run> {
  const started = performance.now();
  // What `npm start` runs, on the Node this project installs, without npm's own start-up.
  const child = spawn(process.execPath, startArgs, {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const readyMs = await waitReady(port, child, started);
    const cpuMs = cpuOf(child.pid!);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { readyMs, cpuMs, rssMb: rssOf(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** A port nobody listens on right now (other benchmarks and test runs share this machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const cache = path.join(root, 'node_modules', '.cache', 'switchboard');
const templates = () => (fs.existsSync(cache) ? fs.readdirSync(cache).filter((name) => name.startsWith('pglite-') && !name.includes('.building-')) : []);
if (process.env.BENCH_START_NO_TEMPLATE === '1') for (const name of templates()) rmSync(path.join(cache, name), { recursive: true, force: true });
const hadTemplate = templates().length > 0;
// The build npm start runs is made (or found up to date) before the clock starts: once per change
// of the sources, like the template once per install.
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'ignore' });

const fresh: Run[] = [];
const reused: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-start-'));
  try {
    fresh.push(await startOnce(dataDir, await freePort()));
    reused.push(await startOnce(dataDir, await freePort()));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const line = (name: string, runs: Run[]) =>
  `${name.padEnd(8)} ready ${runs.map((r) => `${(r.readyMs / 1000).toFixed(2)} s`).join(', ')} (median ${(median(runs.map((r) => r.readyMs)) / 1000).toFixed(2)} s, target < 2 s); ` +
  `CPU to ready ${runs.map((r) => `${(r.cpuMs / 1000).toFixed(2)}`).join(', ')} s; ` +
  `idle RSS ${runs.map((r) => `${Math.round(r.rssMb)}`).join(', ')} MB (median ${Math.round(median(runs.map((r) => r.rssMb)))} MB, target < 300 MB)`;
console.log(`Node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; npm start = ${startScript}`);
console.log(`template: ${hadTemplate ? 'present before the first run (every fresh DATA_DIR is a copy)' : 'none before the first run: the first fresh start made it (once per install)'}`);
console.log(line('fresh', fresh));
console.log(line('reused', reused));
console.log('reproduce: npm run bench:start   (BENCH_START_RUNS=N for more runs, BENCH_START_NO_TEMPLATE=1 to rebuild the template first)');
