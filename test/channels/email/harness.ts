import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import type { EmailChannel } from '../../../src/channels/email/index.ts';
import { inboundMessages, type InboundMessage } from '../../../src/db/schema.ts';
import { startSwitchboard, type Running } from '../../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../../support/db.ts';
import { DOVECOT_MISSING, dovecotAvailable, startDovecot, type Dovecot } from '../../support/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp.ts';
import { forSuite } from '../../support/suite.ts';

export const haveDovecot = dovecotAvailable(); // throws under CI when Dovecot is missing
if (!haveDovecot) console.warn(DOVECOT_MISSING);

/** A mailbox login of its own (Dovecot refuses '+' in login names; plus-addressing lives in To:). */
export const freshMailbox = (name = 'desk'): string => `${name}-${randomUUID().slice(0, 8)}@example.com`;
export const person = (name: string): string => `${name}-${randomUUID().slice(0, 6)}@example.org`;

export interface TicketJson {
  key: string;
  title: string;
  description: string;
  status: string;
  requester: { email: string; name: string | null };
}
export interface EventJson {
  id: number;
  type: string;
  visibility: string;
  body: string;
  actor: { email: string } | null;
  channel: string;
  data?: Record<string, unknown>;
}

/**
 * The whole service in-process with email on: a real Dovecot mailbox it polls, a real
 * SMTP sink it sends to, PGlite in a temp DATA_DIR (or a throwaway Postgres database).
 */
export class EmailDesk {
  service!: Running;
  private constructor(
    readonly dovecot: Dovecot,
    readonly sink: SmtpSink,
    readonly mailbox: string,
    readonly dataDir: string,
    readonly databaseUrl: string | undefined,
  ) {}

  static async open(): Promise<EmailDesk> {
    const dovecot = await startDovecot();
    if (!dovecot) throw new Error(DOVECOT_MISSING);
    const sink = await startSmtpSink();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-email-'));
    const databaseUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
    const desk = new EmailDesk(dovecot, sink, freshMailbox(), dataDir, databaseUrl);
    await desk.start();
    return desk;
  }

  /** (Re)start the service on the same data: a process restart. */
  async start(): Promise<void> {
    const env: Record<string, string> = {
      PORT: '0',
      DATA_DIR: this.dataDir,
      IMAP_URL: this.dovecot.imapUrl(this.mailbox),
      SMTP_URL: this.sink.url,
      MAIL_FROM: 'desk@example.com',
      API_TOKENS: 't',
      LOG_LEVEL: 'silent',
    };
    if (this.databaseUrl) env.DATABASE_URL = this.databaseUrl;
    this.service = await startSwitchboard(loadConfig(env), { worker: { pollMs: 50, baseDelayMs: 50 } });
  }

  get email(): EmailChannel {
    return this.service.channels.find((c) => c.name === 'email') as EmailChannel;
  }

  async close(): Promise<void> {
    await this.service?.stop();
    await this.sink.close();
    await this.dovecot.stop();
    if (this.databaseUrl) await dropDatabase(postgresUrl!, this.databaseUrl);
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Deliver a message into the polled mailbox. */
  deliver(raw: Buffer): Promise<void> {
    return this.dovecot.append(this.mailbox, raw);
  }

  async api<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.service.url}/api/v1${route}`, {
      method,
      headers: { authorization: 'Bearer t', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${route} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** What Switchboard recorded for a Message-ID, once it has processed it. */
  async processed(messageId: string, timeoutMs = 30_000): Promise<InboundMessage> {
    const id = messageId.toLowerCase();
    let found: InboundMessage | undefined;
    await expect
      .poll(async () => {
        [found] = await this.service.database.db.select().from(inboundMessages).where(eq(inboundMessages.externalId, id)).orderBy(desc(inboundMessages.id));
        return found;
      }, { timeout: timeoutMs, interval: 50 })
      .toBeDefined();
    return found!;
  }

  ticket(key: string): Promise<TicketJson> {
    return this.api<TicketJson>('GET', `/tickets/${key}`);
  }

  async events(key: string): Promise<EventJson[]> {
    return (await this.api<{ items: EventJson[] }>('GET', `/tickets/${key}/events`)).items;
  }

  async ticketsOf(email: string): Promise<TicketJson[]> {
    return (await this.api<{ items: TicketJson[] }>('GET', `/tickets?requester=${encodeURIComponent(email)}`)).items;
  }
}

/**
 * The email desk of the describe block it is called in: opened (Dovecot, the SMTP sink, the
 * service) before its first story and closed after its last (see forSuite), with `prepare`
 * run on it once open.
 */
export function emailDeskForSuite(prepare?: (desk: EmailDesk) => void | Promise<void>): EmailDesk {
  return forSuite(
    async () => {
      const desk = await EmailDesk.open();
      await prepare?.(desk);
      return desk;
    },
    (desk) => desk.close(),
  );
}
