import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway Postgres cluster of our own (initdb + pg_ctl into a temp dir, random port), for
 * tests and benchmarks that stop or restart the server. Never touch the shared cluster on 5432:
 * other tests run against it in parallel.
 */
export interface ThrowawayCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl restart -m <mode>` (waits until it accepts connections again). */
  restart(mode?: 'smart' | 'fast' | 'immediate'): void;
  stop(mode?: 'smart' | 'fast' | 'immediate'): void;
  start(): void;
  /** Stop (immediate) and delete the data folder. */
  destroy(): void;
}

/** The newest /usr/lib/postgresql/N/bin with initdb and pg_ctl (or PG_BIN); null when absent. */
export function postgresBinDir(): string | null {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(root, v, 'bin')));
  }
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

/** initdb refuses to run as root: run the binaries as the postgres user then (runuser). */
function runner(): { cmd: (bin: string, args: string[]) => [string, string[]]; owner: { uid: number; gid: number } | null } {
  if (process.getuid?.() !== 0) return { cmd: (bin, args) => [bin, args], owner: null };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { cmd: (bin, args) => ['runuser', ['-u', 'postgres', '--', bin, ...args]], owner: { uid, gid } };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no Postgres server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin; set PG_BIN');
  const { cmd, owner } = runner();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const run = (name: string, args: string[]) => {
    const [file, argv] = cmd(path.join(bin, name), args);
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2_000) : '';
      throw new Error(`${name} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}\n${log}`);
    }
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  // Unix socket in our own folder: the default /var/run/postgresql belongs to the shared cluster.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  const ctl = (args: string[]) => run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', ...args]);
  const start = () => ctl(['-o', serverOptions, 'start']);
  start();
  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    restart: (mode = 'fast') => ctl(['-m', mode, '-o', serverOptions, 'restart']),
    stop: (mode = 'fast') => ctl(['-m', mode, 'stop']),
    start,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        ctl(['-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
