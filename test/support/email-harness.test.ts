import { randomUUID } from 'node:crypto';
import { ImapFlow, type ExistsEvent } from 'imapflow';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOVECOT_MISSING, dovecotAvailable, startDovecot, type Dovecot } from './dovecot.ts';
import { buildMail, bulkMail, deliveryStatusNotification, outOfOfficeReply } from './mail.ts';
import { startSmtpSink, type SmtpSink } from './smtp.ts';

const haveDovecot = dovecotAvailable(); // throws under CI when Dovecot is missing
if (!haveDovecot) console.warn(DOVECOT_MISSING);

/**
 * A mailbox of its own for each test, so no test depends on another's mail. Not `name+tag`:
 * Dovecot refuses '+' in login names (auth_username_chars); plus-addressing is a To: header matter.
 */
const freshUser = (name: string): string => `${name}-${randomUUID().slice(0, 8)}@example.com`;

/** What an IMAP poller configured with an `imap://` URL would do with it. */
function clientFromUrl(url: string): { client: ImapFlow; mailbox: string } {
  const parsed = new URL(url);
  const client = new ImapFlow({
    host: parsed.hostname,
    port: Number(parsed.port),
    secure: false,
    doSTARTTLS: false,
    auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) },
    logger: false,
  });
  return { client, mailbox: decodeURIComponent(parsed.pathname.slice(1)) };
}

describe.skipIf(!haveDovecot)('a private Dovecot for the email channel', () => {
  let dovecot: Dovecot;

  beforeAll(async () => {
    const started = await startDovecot({ users: ['it@example.com'] });
    if (started === null) throw new Error(DOVECOT_MISSING);
    dovecot = started;
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('keeps a message appended for it@example.com and lists it with its flags', async () => {
    const raw = await buildMail({
      from: 'Ann Example <ann@example.org>',
      to: 'it@example.com',
      subject: 'Printer on floor 3 is jammed',
      text: 'It has been jammed since this morning.',
      messageId: '<printer-3@example.org>',
    });
    await dovecot.append('it@example.com', raw, ['\\Seen']);

    const listed = await dovecot.list('it@example.com');
    expect(listed).toContainEqual({
      uid: expect.any(Number),
      flags: ['\\Seen'],
      subject: 'Printer on floor 3 is jammed',
      messageId: '<printer-3@example.org>',
    });
  });

  it('hands out an imap:// URL that an imapflow client logs in with', async () => {
    const user = freshUser('desk');
    await dovecot.append(user, await buildMail({ from: 'bob@example.org', to: user, subject: 'VPN drops' }));
    const url = dovecot.imapUrl(user);
    expect(url).toBe(`imap://${encodeURIComponent(user)}:secret@127.0.0.1:${dovecot.port}/INBOX`);

    const { client, mailbox } = clientFromUrl(url);
    await client.connect();
    try {
      const opened = await client.mailboxOpen(mailbox);
      expect(opened.exists).toBe(1);
      const [message] = await client.fetchAll('1:*', { uid: true, source: true });
      const parsed = await simpleParser(message?.source ?? Buffer.alloc(0));
      expect(parsed.subject).toBe('VPN drops');
    } finally {
      await client.logout();
    }
  });

  it('refuses a wrong password', async () => {
    const { client } = clientFromUrl(dovecot.imapUrl('it@example.com', 'not-the-password'));
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow();
  });

  it('wakes an IDLE client with an exists event when a second message arrives', async () => {
    const user = freshUser('idle');
    await dovecot.append(user, await buildMail({ from: 'cy@example.org', to: user, subject: 'First' }));
    const { client, mailbox } = clientFromUrl(dovecot.imapUrl(user));
    await client.connect();
    try {
      await client.mailboxOpen(mailbox);
      const arrived = new Promise<ExistsEvent>((resolve) => client.once('exists', resolve));
      void client.idle();
      await expect.poll(() => client.idling).toBe(true);

      await dovecot.append(user, await buildMail({ from: 'cy@example.org', to: user, subject: 'Second' }));

      const event = await arrived;
      expect(event).toMatchObject({ path: 'INBOX', count: 2, prevCount: 1 });
    } finally {
      await client.logout();
    }
  });
});

describe('an SMTP sink for outbound mail', () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink?.close();
  });

  it('captures what nodemailer sends: envelope, raw source and parsed threading headers', async () => {
    sink.reset();
    const transport = nodemailer.createTransport({ url: sink.url, ignoreTLS: true });
    await transport.sendMail({
      from: 'Switchboard <it@example.com>',
      to: 'ann@example.org',
      replyTo: 'it+IT-42@example.com',
      subject: '[IT-42] Printer on floor 3 is jammed',
      text: 'We are on it.',
      html: '<p>We are on it.</p>',
      inReplyTo: '<printer-3@example.org>',
      references: ['<printer-3@example.org>'],
      envelope: { from: 'bounces@example.com', to: ['ann@example.org'] },
    });

    const [mail] = await sink.waitForMessages(1);
    expect(mail?.envelope).toEqual({ mailFrom: 'bounces@example.com', rcptTo: ['ann@example.org'] });
    expect(mail?.raw.toString()).toContain('Subject: [IT-42] Printer on floor 3 is jammed');
    expect(mail?.parsed.inReplyTo).toBe('<printer-3@example.org>');
    expect(mail?.parsed.references).toBe('<printer-3@example.org>');
    expect(mail?.parsed.replyTo?.value[0]?.address).toBe('it+IT-42@example.com');
    expect(mail?.parsed.text?.trim()).toBe('We are on it.');
    expect(mail?.parsed.html).toContain('<p>We are on it.</p>');
  });

  it('turns away the next message with a temporary 451 so a sender can retry', async () => {
    sink.reset();
    sink.failNext(1);
    const transport = nodemailer.createTransport({ url: sink.url, ignoreTLS: true });
    const message = { from: 'it@example.com', to: 'ann@example.org', subject: 'Retry me', text: 'Hello' };

    await expect(transport.sendMail(message)).rejects.toMatchObject({ responseCode: 451 });
    expect(sink.rejected).toBe(1);
    expect(sink.messages).toHaveLength(0);

    await transport.sendMail(message);
    const delivered = await sink.waitFor((mail) => mail.parsed.subject === 'Retry me');
    expect(delivered.envelope.rcptTo).toEqual(['ann@example.org']);
  });
});

describe('test mail that must not become tickets', () => {
  it('an out-of-office reply says it was auto-replied', async () => {
    const parsed = await simpleParser(await outOfOfficeReply({ from: 'ann@example.org', to: 'it@example.com' }));
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('x-autoreply')).toBe('yes');
  });

  it('a bounce is a delivery-status report from MAILER-DAEMON with an empty Return-Path', async () => {
    const raw = await deliveryStatusNotification({ to: 'it@example.com', failedRecipient: 'gone@example.org' });
    const parsed = await simpleParser(raw);
    expect(parsed.headers.get('content-type')).toMatchObject({
      value: 'multipart/report',
      params: { 'report-type': 'delivery-status' },
    });
    expect(raw.toString()).toMatch(/^Return-Path: <>\r\n/);
    // mailparser reads the empty Return-Path as one address with an empty string.
    expect(parsed.headers.get('return-path')).toMatchObject({ value: [{ address: '' }] });
    expect(parsed.from?.value[0]?.address).toMatch(/^MAILER-DAEMON@/);
    expect(raw.toString()).toContain('Final-Recipient: rfc822; gone@example.org');
  });

  it('bulk mail carries Precedence and List-Unsubscribe', async () => {
    const parsed = await simpleParser(await bulkMail({ from: 'news@example.org', to: 'it@example.com' }));
    expect(parsed.headers.get('precedence')).toBe('bulk');
    // mailparser folds every List-* field into one structured `list` entry.
    expect(parsed.headers.has('list-unsubscribe')).toBe(false);
    expect(parsed.headers.get('list')).toMatchObject({
      unsubscribe: { mail: 'unsubscribe@news.example.com', url: 'https://news.example.com/unsubscribe/42' },
    });
  });

  it('a header set to an empty string is left out, to test one signal at a time', async () => {
    const raw = await outOfOfficeReply({ from: 'ann@example.org', to: 'it@example.com', headers: { 'X-Autoreply': '' } });
    const parsed = await simpleParser(raw);
    expect(parsed.headers.has('x-autoreply')).toBe(false);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });
});
