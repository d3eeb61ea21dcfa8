import { beforeAll, describe, expect, it } from 'vitest';
import { createTicket } from '../../src/core/tickets.ts';
import { loadKnowledgeDir, sampleKnowledgeDir } from '../../src/knowledge/articles.ts';
import { deflectionFigures, deflectionReport, recordFeedback } from '../../src/knowledge/feedback.ts';
import { syncKnowledge } from '../../src/knowledge/index-sync.ts';
import { databaseForSuite } from '../support/data.ts';
import { engine, fixedClock } from '../support/db.ts';

// The rule: deflected = said "That solved it" AND filed nothing on the same subject (a ticket
// in one of the article's queues) within 3 days after. vpn-connect is an IT article.

const clock = fixedClock('2026-11-02T09:00:00Z');
const database = databaseForSuite();

beforeAll(async () => {
  await syncKnowledge(database.db, loadKnowledgeDir(sampleKnowledgeDir).articles);
  const core = { db: database.db, now: clock.now, enabled: new Set<string>() };
  const solved = (email: string | null, at: string) => recordFeedback(database.db, [{ slug: 'vpn-connect', channel: 'slack', event: 'solved', email, at: new Date(at) }]);
  const file = async (email: string, type: string, at: string) => {
    clock.set(at);
    await createTicket(core, { type, title: 'vpn again', requester: { email }, fields: type === 'laptop' ? { model: '13-inch' } : type === 'hr-letter' ? { letter: 'salary letter', language: 'English' } : {}, channel: 'slack' });
  };
  await recordFeedback(database.db, ['a', 'b', 'c', 'd'].map((who) => ({ slug: 'vpn-connect', channel: 'slack', event: 'shown' as const, email: `${who}@example.com`, at: new Date('2026-11-02T08:59:00Z') })));
  await solved('a@example.com', '2026-11-02T09:00:00Z'); // nothing filed afterwards: deflected
  await solved('b@example.com', '2026-11-02T09:00:00Z');
  await file('b@example.com', 'it-other', '2026-11-03T09:00:00Z'); // an IT ticket the next day: not deflected
  await solved('c@example.com', '2026-11-02T09:00:00Z');
  await file('c@example.com', 'hr-letter', '2026-11-03T09:00:00Z'); // another subject (HR): still deflected
  await solved('D@Example.com', '2026-11-02T09:00:00Z');
  await file('d@example.com', 'it-other', '2026-11-06T10:00:00Z'); // four days later: deflected
  await solved(null, '2026-11-02T09:00:00Z'); // nobody we can check: solved, never deflected
  await solved('e@example.com', '2026-11-09T09:00:00Z'); // yesterday: too early to say
  await recordFeedback(database.db, [{ slug: 'printer-setup', channel: 'web', event: 'shown', email: 'f@example.com', at: new Date('2026-11-04T09:00:00Z') }]);
});

describe(`deflection on ${engine}`, () => {
  it('counts a request deflected only when it was solved and nothing on the subject was filed within 3 days', async () => {
    const report = await deflectionReport(database.db, { from: new Date('2026-11-01'), to: new Date('2026-11-11'), now: new Date('2026-11-10T09:00:00Z') });
    expect(report.windowDays).toBe(3);
    expect(report.items.find((row) => row.slug === 'vpn-connect')).toEqual({
      slug: 'vpn-connect', title: 'Connect to the VPN from home or on the road', channel: 'slack',
      shown: 4, clicked: 0, solved: 6, filedAnyway: 0, deflected: 3, pending: 1,
    });
    expect(report.notHelping).toEqual([{ slug: 'printer-setup', title: 'Print on the office printers', shown: 1, filedAnyway: 0 }]);
  });

  it("gives the overview's figures per queue and range by the same rule (an IT article counts for IT, not HR)", async () => {
    const range = { from: new Date('2026-11-01'), to: new Date('2026-11-11'), now: new Date('2026-11-10T09:00:00Z') };
    expect(await deflectionFigures(database.db, { ...range, queue: 'IT' })).toEqual({ shown: 5, solved: 6, deflected: 3, pending: 1 });
    expect(await deflectionFigures(database.db, { ...range, queue: 'HR' })).toEqual({ shown: 0, solved: 0, deflected: 0, pending: 0 });
    // Only the day of the "solved" (Nov 2) holds them.
    expect(await deflectionFigures(database.db, { from: new Date('2026-11-03'), to: new Date('2026-11-09'), now: range.now, queue: 'IT' })).toEqual({ shown: 1, solved: 0, deflected: 0, pending: 0 });
  });

  it('counts the same double click once', async () => {
    await recordFeedback(database.db, [{ slug: 'wifi-office', channel: 'web', event: 'clicked', dedupeKey: 'k1' }]);
    await recordFeedback(database.db, [{ slug: 'wifi-office', channel: 'web', event: 'clicked', dedupeKey: 'k1' }]);
    const report = await deflectionReport(database.db, { from: new Date('2026-01-01'), to: new Date('2028-01-01'), now: new Date('2027-01-01') });
    expect(report.items.find((row) => row.slug === 'wifi-office')?.clicked).toBe(1);
  });
});
