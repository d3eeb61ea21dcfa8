import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { Database, Leadership } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { backoffDelay } from '../../core/backoff.ts';

/** The keyword a processed message gets (with \Seen), so a human reading the mailbox does not hide mail from us. */
export const PROCESSED_KEYWORD = '$Switchboard';
const BATCH = 25;
/** A message that fails this often is left alone until the next restart (and logged), not retried forever. */
const MAX_FAILURES = 5;

export interface MailboxAddress {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
}

/** `imap://user:pass@host:port/INBOX` (imaps:// for TLS), user and password URL-encoded. */
export function parseImapUrl(url: string): MailboxAddress {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  const mailbox = decodeURIComponent(parsed.pathname.replace(/^\/+/, '')) || 'INBOX';
  return {
    host: parsed.hostname,
    port: Number(parsed.port) || (secure ? 993 : 143),
    secure,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    mailbox,
  };
}

export interface PollerOptions {
  address: MailboxAddress;
  database: Database;
  logger: Logger;
  /** Process one message; resolves once its ticket transaction has committed. */
  handle(source: Buffer): Promise<unknown>;
  /** A hint that `source` is handled next: start the work that does not depend on order (parsing). */
  prefetch?(source: Buffer): void;
  /** Fallback rescan when no IDLE notification arrives. */
  pollMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** How often a follower tries to take over the mailbox. */
  leadershipRetryMs?: number;
}

/**
 * Reads one mailbox: IDLE for new mail with a poll fallback, reconnects with backoff,
 * and only one process leads a mailbox at a time (advisory lock). A message is flagged
 * only after `handle` resolved, i.e. after its transaction committed: a crash in between
 * means it is read again, and the Message-ID idempotency key makes that a no-op.
 */
export class MailboxPoller {
  /** Test seam: runs between a committed message and its flag (a throw = a crash right there). */
  faults: { beforeFlag?: (uid: number) => void | Promise<void> } = {};
  private running = false;
  private loop: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  private wake: (() => void) | null = null;
  private pendingWake = false;
  private readonly failures = new Map<number, number>();
  private readonly log: Logger;
  readonly lockId: number;
  /** Completed scans, for tests and /metrics-style introspection. */
  scans = 0;
  leading = false;

  constructor(private readonly options: PollerOptions) {
    const { address } = options;
    this.log = options.logger.child({ component: 'imap', mailbox: `${address.user}@${address.host}/${address.mailbox}` });
    // One lock per mailbox; a fixed high prefix keeps it clear of other advisory lock ids.
    const hash = createHash('sha256').update(`${address.host}:${address.port}/${address.user}/${address.mailbox}`).digest().readUInt32BE(0);
    this.lockId = 0x454d_0000_0000 + hash;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.client?.logout().catch(() => this.client?.close());
    await this.loop;
    this.loop = null;
  }

  /** Scan now (new mail notification). */
  poke(): void {
    if (this.wake) this.wake();
    else this.pendingWake = true;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      const leadership = await this.options.database.tryLeadership(this.lockId).catch((error: unknown) => {
        this.log.warn({ err: error }, 'could not ask for mailbox leadership');
        return null;
      });
      if (!leadership) {
        await this.sleep(this.options.leadershipRetryMs ?? 5_000);
        continue;
      }
      this.leading = true;
      try {
        const healthy = await this.session(leadership);
        attempt = healthy ? 0 : attempt + 1;
      } catch (error) {
        attempt++;
        this.log.warn({ err: error, attempt }, 'IMAP session failed; reconnecting');
      } finally {
        this.leading = false;
        await leadership.release().catch(() => {});
      }
      if (this.running && attempt > 0) {
        await this.sleep(backoffDelay(attempt, this.options.reconnectBaseMs ?? 1_000, this.options.reconnectMaxMs ?? 60_000));
      }
    }
  }

  /** One connection's life; true when it ended cleanly (stop, lost leadership) rather than by an error. */
  private async session(leadership: Leadership): Promise<boolean> {
    const { address } = this.options;
    const client = new ImapFlow({
      host: address.host,
      port: address.port,
      secure: address.secure,
      auth: { user: address.user, pass: address.password },
      logger: false,
      // imapflow waits 15 s of quiet before it IDLEs; a desk wants new mail at once.
      autoIdleDelay: 200,
    });
    let closed = false;
    const onClose = new Promise<void>((resolve) =>
      client.once('close', () => {
        closed = true;
        resolve();
      }),
    );
    client.on('error', (error: Error) => this.log.warn({ err: error }, 'IMAP connection error'));
    client.on('exists', () => this.poke());
    await client.connect();
    this.client = client;
    try {
      const mailbox = await client.mailboxOpen(address.mailbox);
      // Servers without custom keywords get \Seen only.
      const keyword = mailbox.permanentFlags?.has('\\*') !== false;
      while (this.running && !closed) {
        await this.scan(client, keyword);
        this.scans++;
        await this.waitForWork(onClose);
        if (!this.running) return true;
        if (!(await leadership.stillHeld())) {
          this.log.warn('lost mailbox leadership; stepping down');
          return true;
        }
      }
      return !closed || !this.running;
    } finally {
      this.client = null;
      if (!closed) await client.logout().catch(() => client.close());
    }
  }

  private async scan(client: ImapFlow, keyword: boolean): Promise<void> {
    const found = await client.search(keyword ? { unKeyword: PROCESSED_KEYWORD, deleted: false } : { seen: false, deleted: false }, { uid: true });
    const uids = (found || []).filter((uid) => (this.failures.get(uid) ?? 0) < MAX_FAILURES).sort((a, b) => a - b);
    for (let i = 0; i < uids.length && this.running; i += BATCH) {
      // Collect first: no IMAP command may run inside a fetch iterator.
      const messages = await client.fetchAll(uids.slice(i, i + BATCH), { uid: true, source: true }, { uid: true });
      for (const [index, message] of messages.entries()) {
        if (!this.running) return;
        if (!message.source) continue;
        // The next message's parse (in the worker pool) overlaps this one's transaction.
        const next = messages[index + 1]?.source;
        if (next) this.options.prefetch?.(next);
        try {
          await this.options.handle(message.source);
          await this.faults.beforeFlag?.(message.uid);
        } catch (error) {
          const failures = (this.failures.get(message.uid) ?? 0) + 1;
          this.failures.set(message.uid, failures);
          const log = { err: error, uid: message.uid, failures };
          if (failures >= MAX_FAILURES) this.log.error(log, 'message keeps failing; leaving it unflagged until restart');
          else this.log.warn(log, 'message failed; it stays unflagged and is retried');
          continue;
        }
        await client.messageFlagsAdd(String(message.uid), keyword ? ['\\Seen', PROCESSED_KEYWORD] : ['\\Seen'], { uid: true });
        this.failures.delete(message.uid);
      }
    }
  }

  private waitForWork(closed: Promise<void>): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs ?? 60_000);
      this.wake = done;
      void closed.then(done);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
