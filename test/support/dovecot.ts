import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import {
  DOVECOT_PASSWORD,
  dovecotAccounts,
  dovecotLayout,
  renderDovecotConf,
  type DovecotAccounts,
  type DovecotLayout,
} from './dovecot-conf.ts';
import { freePort, waitForGreeting } from './net.ts';

export { DOVECOT_PASSWORD } from './dovecot-conf.ts';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';
export const DOVECOT_PACKAGE = 'dovecot-imapd';
export const DOVECOT_MISSING =
  `SKIPPING real-IMAP tests: ${DOVECOT_BINARY} not found. ` +
  `Install the Debian package ${DOVECOT_PACKAGE} (apt-get install ${DOVECOT_PACKAGE}) to run them.`;

const HOST = '127.0.0.1';

export interface ListedMessage {
  uid: number;
  flags: string[];
  subject: string | undefined;
  messageId: string | undefined;
}

export interface Dovecot {
  host: string;
  port: number;
  /** The temp folder holding config, mail, sockets and log; removed by stop(). */
  dir: string;
  /** `imap://user:pass@127.0.0.1:port/INBOX`, user and password URL-encoded. */
  imapUrl(user: string, password?: string, mailbox?: string): string;
  /** IMAP APPEND into the user's INBOX. */
  append(user: string, rawMessage: string | Buffer, flags?: string[]): Promise<void>;
  /** The user's INBOX, oldest first; read-only (EXAMINE), flags without \Recent. */
  list(user: string): Promise<ListedMessage[]>;
  /** Dovecot's own log, for failure messages. */
  readLog(): Promise<string>;
  stop(): Promise<void>;
}

/** True when a non-empty CI variable asks for every suite to run (`CI=false`/`0` do not). */
function ciRequiresEverything(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Whether Dovecot can be started here. Missing locally is a skip; missing in CI is an error,
 * because CI must exercise real IMAP.
 */
export function dovecotAvailable(): boolean {
  if (existsSync(DOVECOT_BINARY)) return true;
  if (ciRequiresEverything()) {
    throw new Error(
      `CI is set but ${DOVECOT_BINARY} is missing: install ${DOVECOT_PACKAGE} in the CI image; ` +
        'the email channel tests need a real IMAP server.',
    );
  }
  return false;
}

/**
 * Starts a private Dovecot on 127.0.0.1 and a free port. Any user (use email addresses,
 * e.g. it@example.com) logs in with the password "secret". `users` get their INBOX created
 * up front. Returns null when Dovecot is not installed (see dovecotAvailable).
 */
export async function startDovecot(opts: { users?: string[]; timeoutMs?: number } = {}): Promise<Dovecot | null> {
  if (!dovecotAvailable()) return null;
  const root = await mkdtemp(path.join(os.tmpdir(), 'switchboard-dovecot-'));
  const layout = dovecotLayout(root);
  try {
    const accounts = dovecotAccounts();
    await prepareDirectories(layout, accounts, opts.users ?? []);
    const { child, port } = await launch(layout, accounts, opts.timeoutMs ?? 15_000);
    return dovecotHandle(layout, child, port);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function prepareDirectories(layout: DovecotLayout, accounts: DovecotAccounts, users: string[]): Promise<void> {
  // mkdtemp makes 0700; the mail user and the login user must be able to walk through it.
  await chmod(layout.root, 0o755);
  const maildirs = users.flatMap((user) => ['cur', 'new', 'tmp'].map((sub) => path.join(layout.mailRoot, user, sub)));
  await mkdir(layout.mailRoot, { recursive: true });
  for (const dir of maildirs) await mkdir(dir, { recursive: true });
  if (process.getuid?.() === 0) {
    const owned = [layout.mailRoot, ...users.map((user) => path.join(layout.mailRoot, user)), ...maildirs];
    for (const dir of owned) await chown(dir, accounts.mailUid, accounts.mailGid);
  }
}

/** Writes the config for a fresh free port and starts `dovecot -F`; retries if the port was taken meanwhile. */
async function launch(
  layout: DovecotLayout,
  accounts: DovecotAccounts,
  timeoutMs: number,
): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(HOST);
    await writeFile(layout.configPath, renderDovecotConf(layout, accounts, port));
    const outputPath = path.join(layout.root, 'dovecot.out');
    const output = openSync(outputPath, 'w');
    // Own process group (detached), so stop() can signal master and its service children at once.
    const child = spawn(DOVECOT_BINARY, ['-F', '-c', layout.configPath], {
      detached: true,
      stdio: ['ignore', output, output],
    });
    closeSync(output);
    child.on('error', () => {}); // a failed spawn shows as a missing pid or an early exit below
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not spawn ${DOVECOT_BINARY}`);
    liveGroups.set(pid, layout.root);
    ensureExitHook();
    try {
      const isGreeting = (line: string): boolean =>
        line.startsWith('* OK') && !line.includes('Waiting for authentication');
      const alive = (): boolean => child.exitCode === null && child.signalCode === null;
      await waitForGreeting(HOST, port, isGreeting, timeoutMs, alive);
      return { child, port };
    } catch (error) {
      await stopGroup(pid);
      const diagnostics = [await tail(outputPath), await tail(layout.logPath)].join('\n');
      if (attempt < 3 && diagnostics.includes('Address already in use')) continue;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Dovecot did not start (${reason}). Its output and log:\n${diagnostics}`);
    }
  }
}

function dovecotHandle(layout: DovecotLayout, child: ChildProcess, port: number): Dovecot {
  const pid = child.pid ?? 0;
  let stopped = false;

  async function withClient<T>(user: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = new ImapFlow({
      host: HOST,
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: DOVECOT_PASSWORD },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => {}); // surfaced through the rejected command instead
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  return {
    host: HOST,
    port,
    dir: layout.root,
    imapUrl(user, password = DOVECOT_PASSWORD, mailbox = 'INBOX') {
      const mailboxPath = mailbox.split('/').map(encodeURIComponent).join('/');
      return `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${HOST}:${port}/${mailboxPath}`;
    },
    async append(user, rawMessage, flags = []) {
      const response = await withClient(user, (client) => client.append('INBOX', rawMessage, flags));
      if (response === false) throw new Error(`IMAP APPEND for ${user} was not accepted`);
    },
    async list(user) {
      return withClient(user, async (client) => {
        const mailbox = await client.mailboxOpen('INBOX', { readOnly: true });
        if (mailbox.exists === 0) return [];
        const messages = await client.fetchAll('1:*', { uid: true, flags: true, envelope: true });
        return messages
          .map((message) => ({
            uid: message.uid,
            // \Recent belongs to whichever session saw the message first; it is noise here.
            flags: [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort(),
            subject: message.envelope?.subject,
            messageId: message.envelope?.messageId,
          }))
          .sort((a, b) => a.uid - b.uid);
      });
    },
    readLog: () => readFile(layout.logPath, 'utf8').catch(() => ''),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopGroup(pid);
      await rm(layout.root, { recursive: true, force: true });
    },
  };
}

// Process groups we started and have not stopped yet (with their temp dirs); cleaned up
// best-effort if the test process exits without calling stop().
const liveGroups = new Map<number, string>();
let exitHookInstalled = false;

function ensureExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pgid, root] of liveGroups) {
      signalGroup(pgid, 'SIGTERM');
      rmSync(root, { recursive: true, force: true });
    }
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // EPERM: the group exists but is not ours to signal; ESRCH: it is gone.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** SIGTERM to the whole group (master shuts its services down), SIGKILL if it lingers. */
async function stopGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  if (!(await groupGone(pgid, 5_000))) {
    signalGroup(pgid, 'SIGKILL');
    await groupGone(pgid, 2_000);
  }
  liveGroups.delete(pgid);
}

async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!signalGroup(pgid, 0)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !signalGroup(pgid, 0);
}

async function tail(file: string, lines = 30): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}
