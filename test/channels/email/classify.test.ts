import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { plusAddress, splitPlus, ticketKeyInSubject, titleFromSubject } from '../../../src/channels/email/addresses.ts';
import { classify } from '../../../src/channels/email/classify.ts';
import { cleanText } from '../../../src/channels/email/clean-text.ts';
import { buildMail, bulkMail, deliveryStatusNotification, outOfOfficeReply } from '../../support/mail.ts';

const ctx = { ownDomain: 'example.com', ownAddresses: new Set(['desk@example.com']) };
const from = 'ann@example.org';
const to = 'it@example.com';
const verdict = async (raw: Buffer) => classify(await simpleParser(raw), ctx);

describe('which mail is a person writing to the desk', () => {
  it('a plain message is input', async () => {
    expect(await verdict(await buildMail({ from, to, subject: 'Hello' }))).toEqual({ input: true, suppressAcknowledgement: false });
  });

  it('Auto-Submitted: no is a person, any other value is a machine (RFC 3834)', async () => {
    expect((await verdict(await buildMail({ from, to, subject: 'Hi', headers: { 'Auto-Submitted': 'no' } }))).input).toBe(true);
    expect(await verdict(await buildMail({ from, to, subject: 'Hi', headers: { 'Auto-Submitted': 'auto-generated' } }))).toMatchObject({ input: false, reason: 'auto-reply: Auto-Submitted: auto-generated' });
  });

  it('each out-of-office signal on its own is enough', async () => {
    expect(await verdict(await outOfOfficeReply({ from, to, headers: { 'Auto-Submitted': '' } }))).toMatchObject({ input: false, reason: 'auto-reply: X-Autoreply/X-Autorespond' });
    expect((await verdict(await buildMail({ from, to, subject: 'Away', headers: { 'X-Autorespond': 'yes' } }))).input).toBe(false);
    expect(await verdict(await buildMail({ from, to, subject: 'Away', headers: { Precedence: 'auto_reply' } }))).toMatchObject({ input: false, reason: 'bulk: Precedence: auto_reply' });
    expect((await verdict(await buildMail({ from, to, subject: 'Spam', headers: { Precedence: 'junk' } }))).input).toBe(false);
  });

  it('mailing-list mail is not input even without Precedence', async () => {
    expect(await verdict(await bulkMail({ from, to, headers: { Precedence: '', 'List-Unsubscribe': '', 'List-Unsubscribe-Post': '' } }))).toMatchObject({ input: false, reason: 'bulk: mailing-list header list-id' });
  });

  it('bounces: a DSN report, a null Return-Path, or MAILER-DAEMON / postmaster as sender', async () => {
    expect(await verdict(await deliveryStatusNotification({ to, failedRecipient: from }))).toMatchObject({ input: false, reason: 'bounce: multipart/report (delivery-status)' });
    expect(await verdict(await buildMail({ from, to, subject: 'x', headers: { 'Return-Path': '<>' } }))).toMatchObject({ input: false, reason: 'bounce: null Return-Path <>' });
    expect((await verdict(await buildMail({ from: 'postmaster@example.net', to, subject: 'x' }))).input).toBe(false);
    expect((await verdict(await buildMail({ from: 'MAILER-DAEMON@example.net', to, subject: 'x' }))).input).toBe(false);
  });

  it('our own Message-ID domain or our own sender address coming back is never input (loop guard)', async () => {
    expect((await verdict(await buildMail({ from, to, subject: 'x', messageId: '<sb.d1.it-1@example.com>' }))).input).toBe(false);
    expect((await verdict(await buildMail({ from: 'IT <desk@example.com>', to, subject: 'x' }))).input).toBe(false);
  });

  it('X-Auto-Response-Suppress only asks us not to answer automatically: still input', async () => {
    expect(await verdict(await buildMail({ from, to, subject: 'x', headers: { 'X-Auto-Response-Suppress': 'All' } }))).toEqual({ input: true, suppressAcknowledgement: true });
  });
});

describe('addresses and subjects', () => {
  it('splits and builds RFC 5233 plus-addresses', () => {
    expect(splitPlus('IT+it-42@Example.com')).toEqual({ base: 'it@example.com', tag: 'it-42' });
    expect(splitPlus('it@example.com')).toEqual({ base: 'it@example.com', tag: null });
    expect(plusAddress('it@example.com', 'IT-42')).toBe('it+IT-42@example.com');
  });

  it('finds a ticket tag in a subject and makes a title without prefixes', () => {
    expect(ticketKeyInSubject('Re: [it-42] Printer')).toBe('IT-42');
    expect(ticketKeyInSubject('Printer IT-42')).toBeNull();
    expect(titleFromSubject('RE: Fwd: [IT-42] Printer jammed')).toBe('Printer jammed');
    expect(titleFromSubject('  ')).toBe('(no subject)');
  });
});

describe('the new words of a message', () => {
  it('strips an Outlook-style original message block', () => {
    expect(cleanText({ text: 'Works now, thanks!\n\n-----Original Message-----\nFrom: Desk\nSent: Monday\n\nPlease try again.', html: false }).text).toBe('Works now, thanks!');
  });
  it('is empty when a reply holds nothing but the quote', () => {
    expect(cleanText({ text: 'On Mon, Nov 23, 2026 at 10:00 AM Desk <desk@example.com> wrote:\n> Hello', html: false }).text).toBe('');
  });
});
