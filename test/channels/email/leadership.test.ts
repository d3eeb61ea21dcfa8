import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxPoller, parseImapUrl } from '../../../src/channels/email/poller.ts';
import { openDatabase, type Database } from '../../../src/db/client.ts';
import { logger } from '../../../src/logger.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../../support/db.ts';
import { startDovecot, type Dovecot } from '../../support/dovecot.ts';
import { buildMail, newMessageId } from '../../support/mail.ts';
import { freshMailbox, haveDovecot } from './harness.ts';

// PGlite is one process: there is nobody to share a mailbox with, so this runs on Postgres only.
if (!postgresUrl) console.warn('SKIPPING mailbox leadership tests: they need TEST_DATABASE_URL (Postgres advisory locks).');

describe.skipIf(!haveDovecot || !postgresUrl)('one leader per mailbox across processes', () => {
  let dovecot: Dovecot;
  let url: string;
  const databases: Database[] = [];
  beforeAll(async () => {
    dovecot = (await startDovecot())!;
    url = await createThrowawayDatabase(postgresUrl!);
  });
  afterAll(async () => {
    for (const database of databases) await database.close();
    await dovecot?.stop();
    if (url) await dropDatabase(postgresUrl!, url);
  });

  it('two pollers on one mailbox: one reads it, the other takes over when the first stops', async () => {
    const mailbox = freshMailbox();
    const seen: Array<{ poller: string; subject: string }> = [];
    const pollers = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const database = await openDatabase({ url, max: 2 });
        databases.push(database);
        const poller = new MailboxPoller({
          address: parseImapUrl(dovecot.imapUrl(mailbox)),
          database,
          logger: logger.child({ poller: name }),
          leadershipRetryMs: 100,
          handle: async (source) => void seen.push({ poller: name, subject: /^Subject: (.*)$/m.exec(source.toString())?.[1]?.trim() ?? '' }),
        });
        poller.start();
        return { name, poller };
      }),
    );
    await expect.poll(() => pollers.filter((p) => p.poller.leading).length, { timeout: 10_000 }).toBe(1);
    const leader = pollers.find((p) => p.poller.leading)!;
    const follower = pollers.find((p) => p !== leader)!;

    await dovecot.append(mailbox, await buildMail({ from: 'ann@example.org', to: 'it@example.com', subject: 'First', messageId: newMessageId('ann@example.org') }));
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(1);
    expect(seen).toEqual([{ poller: leader.name, subject: 'First' }]);

    await leader.poller.stop();
    await expect.poll(() => follower.poller.leading, { timeout: 10_000 }).toBe(true);
    await dovecot.append(mailbox, await buildMail({ from: 'ann@example.org', to: 'it@example.com', subject: 'Second', messageId: newMessageId('ann@example.org') }));
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(2);
    expect(seen[1]).toEqual({ poller: follower.name, subject: 'Second' });
    await follower.poller.stop();
  });

  it('the advisory lock is held by one session at a time and freed on release', async () => {
    const [one, two] = [databases[0]!, databases[1]!];
    const held = await one.tryLeadership(4242);
    expect(held).not.toBeNull();
    expect(await held!.stillHeld()).toBe(true);
    expect(await two.tryLeadership(4242)).toBeNull();
    await held!.release();
    const next = await two.tryLeadership(4242);
    expect(next).not.toBeNull();
    await next!.release();
  });
});
