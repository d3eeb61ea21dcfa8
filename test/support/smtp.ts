import type { Readable } from 'node:stream';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

const HOST = '127.0.0.1';

/** One message the sink accepted. */
export interface CapturedMail {
  /** The DATA exactly as received (headers and body, CRLF line ends, dot-unstuffed). */
  raw: Buffer;
  /** SMTP envelope; mailFrom is '' for the null sender `MAIL FROM:<>`. */
  envelope: { mailFrom: string; rcptTo: string[] };
  /** mailparser's view: headers (Map, lower-case keys), subject, messageId, inReplyTo, references, text, html, from, to, replyTo... */
  parsed: ParsedMail;
  /** Username from SMTP AUTH, when the client authenticated (any credentials are accepted). */
  authUser: string | undefined;
}

export interface SmtpSink {
  host: string;
  port: number;
  /** `smtp://127.0.0.1:port` */
  url: string;
  /** Accepted messages in arrival order; reset() empties this same array. */
  readonly messages: CapturedMail[];
  /** How many messages failNext() has turned away so far. */
  readonly rejected: number;
  /** How many SMTP sessions (TCP connections) clients have opened since the sink started. */
  readonly connections: number;
  /** Resolves with the first `count` messages once that many have arrived. */
  waitForMessages(count: number, timeoutMs?: number): Promise<CapturedMail[]>;
  /** Resolves with the first message (already received or arriving later) that matches. */
  waitFor(predicate: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Forgets captured messages, the rejection count and any pending failNext. */
  reset(): void;
  /** Answers the next `times` messages with `code` (451: temporary, the sender should retry) after DATA. */
  failNext(times?: number, code?: number): void;
  close(): Promise<void>;
}

/** Starts an SMTP server on 127.0.0.1 and a free port that records every message it accepts. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: CapturedMail[] = [];
  const listeners = new Set<() => void>();
  let pendingFailures = 0;
  let failureCode = 451;
  let rejected = 0;
  let connections = 0;

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 2_000,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? '' });
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  // A client hanging up mid-session emits 'error'; the test sees that on its own side.
  server.on('error', () => {});

  async function receive(stream: Readable, session: SMTPServerSession): Promise<void> {
    const raw = await readAll(stream);
    if (pendingFailures > 0) {
      pendingFailures--;
      rejected++;
      throw Object.assign(new Error(`Test sink refuses this message (failNext, ${failureCode})`), {
        responseCode: failureCode,
      });
    }
    const mailFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
    messages.push({
      raw,
      envelope: { mailFrom, rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address) },
      parsed: await simpleParser(raw),
      authUser: typeof session.user === 'string' ? session.user : undefined,
    });
    for (const notify of [...listeners]) notify();
  }

  function waitUntil<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (): boolean => {
        const value = check();
        if (value === undefined) return false;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(value);
        return true;
      };
      const listener = (): void => void done();
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`${describe()} within ${timeoutMs} ms; got ${summary(messages)}`));
      }, timeoutMs);
      listeners.add(listener);
      done();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, HOST, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address !== 'object') throw new Error('SMTP sink has no TCP address');
  const port = address.port;

  return {
    host: HOST,
    port,
    url: `smtp://${HOST}:${port}`,
    messages,
    get rejected() {
      return rejected;
    },
    get connections() {
      return connections;
    },
    waitForMessages(count, timeoutMs = 5_000) {
      return waitUntil(
        () => (messages.length >= count ? messages.slice(0, count) : undefined),
        timeoutMs,
        () => `expected ${count} message(s)`,
      );
    },
    waitFor(predicate, timeoutMs = 5_000) {
      return waitUntil(() => messages.find(predicate), timeoutMs, () => 'no message matched');
    },
    reset() {
      messages.length = 0;
      pendingFailures = 0;
      rejected = 0;
    },
    failNext(times = 1, code = 451) {
      pendingFailures = times;
      failureCode = code;
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

function summary(messages: CapturedMail[]): string {
  if (messages.length === 0) return 'none';
  return messages.map((mail) => JSON.stringify(mail.parsed.subject ?? '(no subject)')).join(', ');
}
