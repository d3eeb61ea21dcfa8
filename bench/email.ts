/**
 * npm run bench:email — N mails of mixed sizes (up to 5 MB) appended to a real Dovecot
 * mailbox while Switchboard reads it (Postgres, parse workers, outbox, SMTP sink): mails/s to a
 * ticket or a comment, processing time per mail (p50/p99), and /healthz p99 during the run.
 *   BENCH_MAILS=1000 npm run bench:email
 *
 * The mails are built and written to disk before the clock starts, and appended by a child
 * process, so neither building nor the IMAP client's work lands on the service's event loop.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { count } from 'drizzle-orm';
import type { EmailChannel } from '../src/channels/email/index.ts';
import { loadConfig } from '../src/config.ts';
import { inboundMessages } from '../src/db/schema.ts';
import { startSwitchboard } from '../src/runtime.ts';
import { DOVECOT_PASSWORD, startDovecot } from '../test/support/dovecot.ts';
import { buildMail, outOfOfficeReply } from '../test/support/mail.ts';
import { startSmtpSink } from '../test/support/smtp.ts';
import { percentile, withThrowawayDatabase } from './support.ts';

if (process.argv[2] === '--append') await appendAll(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else await main();

async function main(): Promise<void> {
  const total = Number(process.env.BENCH_MAILS ?? 1000);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-email-'));
  const dataDir = path.join(dir, 'data');
  const mailDir = path.join(dir, 'mails');
  const { bytes, largest } = await buildCorpus(mailDir, total);
  process.stdout.write(`built ${total} mails, ${(bytes / 1024 / 1024).toFixed(0)} MB in all, largest ${(largest / 1024 / 1024).toFixed(1)} MB\n`);

  const dovecot = (await startDovecot())!;
  if (!dovecot) throw new Error('Dovecot is not installed (apt-get install dovecot-imapd)');
  const sink = await startSmtpSink();
  const mailbox = 'bench-desk@example.com';
  try {
    await withThrowawayDatabase(async (url) => {
      const app = await startSwitchboard(
        loadConfig({ PORT: '0', DATABASE_URL: url, DATA_DIR: dataDir, IMAP_URL: dovecot.imapUrl(mailbox), SMTP_URL: sink.url, MAIL_FROM: 'desk@example.com', LOG_LEVEL: 'silent' }),
      );
      const inbound = (app.channels.find((c) => c.name === 'email') as EmailChannel).inbound!;
      const processing: number[] = [];
      const process_ = inbound.process.bind(inbound);
      inbound.process = async (source) => {
        const started = performance.now();
        try {
          return await process_(source);
        } finally {
          processing.push(performance.now() - started);
        }
      };
      for (let i = 0; i < 50; i++) await (await fetch(`${app.url}/healthz`)).arrayBuffer();

      const health: number[] = [];
      let done = false;
      const probe = (async () => {
        while (!done) {
          const started = performance.now();
          await (await fetch(`${app.url}/healthz`)).arrayBuffer();
          health.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();

      const started = performance.now();
      const appender = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--append', mailDir, dovecot.imapUrl(mailbox), String(dovecot.port)], { stdio: 'inherit' });
      const appended = new Promise<void>((resolve, reject) => appender.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`appender exited with ${code}`)))));
      const db = app.database.db;
      for (;;) {
        const [row] = await db.select({ n: count() }).from(inboundMessages);
        if (Number(row!.n) >= total) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const seconds = (performance.now() - started) / 1000;
      await appended;
      done = true;
      await probe;
      const outcomes = await db.select({ outcome: inboundMessages.outcome, n: count() }).from(inboundMessages).groupBy(inboundMessages.outcome);
      const byOutcome = Object.fromEntries(outcomes.map((o) => [o.outcome, Number(o.n)]));
      const timeouts = (await db.select({ headers: inboundMessages.headers }).from(inboundMessages)).filter((r) => (r.headers as { uncleaned?: unknown }).uncleaned).length;
      await app.stop();

      processing.sort((a, b) => a - b);
      health.sort((a, b) => a - b);
      const filed = (byOutcome.ticketed ?? 0) + (byOutcome.commented ?? 0);
      process.stdout.write(`email: ${total} mails through IMAP in ${seconds.toFixed(1)} s: ${JSON.stringify(byOutcome)}, kept whole (not cleaned): ${timeouts}\n`);
      process.stdout.write(`  mails/s to ticket or comment ${(filed / seconds).toFixed(1)}  (all mails/s ${(total / seconds).toFixed(1)}, ${(bytes / 1024 / 1024 / seconds).toFixed(1)} MB/s)\n`);
      process.stdout.write(`  processing per mail (parse in workers + files + transaction): p50 ${percentile(processing, 50).toFixed(0)} ms  p99 ${percentile(processing, 99).toFixed(0)} ms  max ${processing.at(-1)!.toFixed(0)} ms\n`);
      process.stdout.write(`  /healthz during the run (${health.length} probes): p50 ${percentile(health, 50).toFixed(1)} ms  p99 ${percentile(health, 99).toFixed(1)} ms  max ${health.at(-1)!.toFixed(1)} ms (target p99 < 50 ms)\n`);
      process.stdout.write(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores\n`);
      process.stdout.write(`reproduce: BENCH_MAILS=${total} npm run bench:email\n`);
    });
  } finally {
    await sink.close();
    await dovecot.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The mix: 10 % automatic (out-of-office in a thread), 35 % replies to earlier requests (text
 * or Gmail-style HTML with a quote), 40 % short new requests, 10 % 100 KB–1 MB with an
 * attachment, 4 % 1–3 MB (HTML table and a PDF), 1 % 5 MB (a big HTML body and a large file).
 */
async function buildCorpus(dir: string, total: number): Promise<{ bytes: number; largest: number }> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const opened: string[] = [];
  let bytes = 0;
  let largest = 0;
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `<tr><td>row ${i}</td><td>${'lorem ipsum dolor sit amet '.repeat(4)}</td></tr>`).join('');
  for (let i = 0; i < total; i++) {
    const from = `person${i % 97}@example.org`;
    const messageId = `<bench-${i}@example.org>`;
    const slot = i % 100;
    const parent = opened.length ? opened[(i * 7) % opened.length] : undefined;
    let raw: Buffer;
    if (slot < 10 && parent) {
      raw = await outOfOfficeReply({ from, to: 'it@example.com', messageId, inReplyTo: parent, references: parent });
    } else if (slot < 45 && parent) {
      raw = await buildMail({
        from, to: 'it@example.com', subject: 'Re: [IT-1] request', messageId, inReplyTo: parent, references: parent,
        ...(slot % 2 ? { html: `<div>Reply ${i}: it still happens.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Desk wrote:</div><blockquote>Earlier message</blockquote></div>` } : { text: `Reply ${i}: it still happens.\n\nOn Mon, 23 Nov 2026 at 10:00, Desk <desk@example.com> wrote:\n> Earlier message\n` }),
      });
    } else if (slot < 85) {
      raw = await buildMail({ from, to: 'it@example.com', subject: `Request ${i}`, messageId, text: `Request ${i}: ${'the printer on floor 3 is jammed again. '.repeat(1 + (i % 40))}` });
      opened.push(messageId);
    } else if (slot < 95) {
      raw = await buildMail({ from, to: 'it@example.com', subject: `Request ${i} with a file`, messageId, text: 'Screenshot attached.', attachments: [{ filename: 'shot.png', content: Buffer.alloc(100_000 + ((i * 7919) % 900_000), 1), contentType: 'image/png' }] });
      opened.push(messageId);
    } else if (slot < 99) {
      raw = await buildMail({ from, to: 'it@example.com', subject: `Report ${i}`, messageId, html: `<div>Report attached.</div><table>${rows(2_000)}</table>`, attachments: [{ filename: 'report.pdf', content: Buffer.alloc(700_000 + ((i * 7919) % 1_400_000), 2), contentType: 'application/pdf' }] });
      opened.push(messageId);
    } else {
      raw = await buildMail({ from, to: 'it@example.com', subject: `Export ${i}`, messageId, html: `<div>Here is the export.</div><table>${rows(9_000)}</table>`, attachments: [{ filename: 'export.csv', content: Buffer.alloc(2_900_000, 65), contentType: 'text/csv' }] });
      opened.push(messageId);
    }
    bytes += raw.length;
    largest = Math.max(largest, raw.length);
    await writeFile(path.join(dir, `${String(i).padStart(5, '0')}.eml`), raw);
  }
  return { bytes, largest };
}

/** The child process: APPEND every file, in order, over one IMAP connection. */
async function appendAll(dir: string, imapUrl: string, port: string): Promise<void> {
  const url = new URL(imapUrl);
  const client = new ImapFlow({ host: url.hostname, port: Number(port), secure: false, doSTARTTLS: false, auth: { user: decodeURIComponent(url.username), pass: DOVECOT_PASSWORD }, logger: false, disableAutoIdle: true });
  await client.connect();
  for (const name of (await readdir(dir)).sort()) await client.append('INBOX', await readFile(path.join(dir, name)));
  await client.logout();
}
