import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { SharedPace } from '../../src/outbox/pace.ts';
import { TEAMS_LIMITS } from '../../src/channels/teams/pace.ts';
import { databaseForSuite } from '../support/data.ts';
import { busiestWindow } from '../support/windows.ts';

const database = databaseForSuite();
/** A second connection pool on the same database (a second replica) on Postgres; the same one on PGlite. */
let replica: Database;
let targets = 0;
const target = () => `C0PACE${++targets}`;

beforeAll(async () => {
  replica = database.url ? await openDatabase({ url: database.url, max: 5 }) : database;
});
afterAll(async () => {
  if (replica !== database) await replica.close();
});

describe('shared outbound pace (pace_buckets)', () => {
  it('two replicas sending greedily to one Teams conversation stay within 7/1 s, 8/2 s and 60/30 s together, and use what is allowed', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const replicas = [new SharedPace(database.db, 'teams', TEAMS_LIMITS, { now: clock }), new SharedPace(replica.db, 'teams', TEAMS_LIMITS, { now: clock })];
    const conversation = `19:${target()}`;
    const sent: number[] = [];
    const span = 120_000;
    for (let i = 0; now < 1_000_000 + span; i++) {
      // Each replica takes the next slot it is given and sends at that moment.
      const wait = await replicas[i % 2]!.reserve(conversation);
      now += wait;
      sent.push(now);
    }
    sent.pop(); // the slot that fell past the span
    expect(busiestWindow(sent, 1_000)).toBeLessThanOrEqual(7);
    expect(busiestWindow(sent, 2_000)).toBeLessThanOrEqual(8);
    expect(busiestWindow(sent, 30_000)).toBeLessThanOrEqual(60);
    // Not needlessly slow: the short limit's whole allowance (5 + 1.5/s · 120 s) is used.
    expect(sent.length).toBeGreaterThanOrEqual(184);
  });

  it('a long limit (Teams: 900 back to back, then one per 4 s) gives its burst and then its rate', async () => {
    const now = 2_000_000;
    // The hourly cell's rate with a smaller burst, to keep the test short: same arithmetic.
    const pace = new SharedPace(database.db, 'teams', [{ perSecond: TEAMS_LIMITS[1]!.perSecond, burst: 30 }], { now: () => now });
    const conversation = `19:${target()}`;
    const waits: number[] = [];
    for (let i = 0; i < 32; i++) waits.push(await pace.reserve(conversation));
    expect(waits.slice(0, 30).every((w) => w === 0)).toBe(true);
    expect(waits.slice(30)).toEqual([4_000, 8_000]);
  });

  it('concurrent reservations from two replicas on the database clock line up one interval apart (Slack 1/s, burst 3)', async () => {
    const limits = [{ perSecond: 1, burst: 3 }];
    const a = new SharedPace(database.db, 'slack', limits);
    const b = new SharedPace(replica.db, 'slack', limits);
    const channel = target();
    const waits = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).reserve(channel)));
    waits.sort((x, y) => x - y);
    // Three at once (the burst), then one per second, whoever asked. On the database's running
    // clock a reservation answered later waits less, by however long it was held up, so only
    // the bound holds exactly; the exact line-up is the next test's, on a stopped clock.
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    for (let i = 3; i < waits.length; i++) {
      expect(waits[i]!).toBeGreaterThan(0);
      expect(waits[i]!).toBeLessThanOrEqual((i - 2) * 1000);
    }
  });

  it('concurrent reservations from two replicas at one instant get the burst, then slots exactly one interval apart', async () => {
    const clock = () => 7_000_000;
    const limits = [{ perSecond: 1, burst: 3 }];
    const a = new SharedPace(database.db, 'slack', limits, { now: clock });
    const b = new SharedPace(replica.db, 'slack', limits, { now: clock });
    const channel = target();
    const waits = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).reserve(channel)));
    expect(waits.sort((x, y) => x - y)).toEqual([0, 0, 0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
  });

  it("a 429's Retry-After pauses the target for every replica, then the rate applies without a burst; other targets go on", async () => {
    let now = 5_000_000;
    const clock = () => now;
    const limits = [{ perSecond: 1, burst: 3 }];
    const a = new SharedPace(database.db, 'slack', limits, { now: clock });
    const b = new SharedPace(replica.db, 'slack', limits, { now: clock });
    const channel = target();
    expect(await a.reserve(channel)).toBe(0);
    await a.pause(channel, 30_000);
    expect(await b.reserve(channel)).toBe(30_000);
    expect(await b.reserve(channel)).toBe(31_000);
    expect(await a.reserve(target())).toBe(0);
    now += 60_000;
    expect(await a.reserve(channel)).toBe(0);
  });

  it('a slot handed back is given to the next sender', async () => {
    const now = 9_000_000;
    const limits = [{ perSecond: 1, burst: 1 }];
    const pace = new SharedPace(database.db, 'teams', limits, { now: () => now });
    const conversation = target();
    expect(await pace.reserve(conversation)).toBe(0);
    expect(await pace.reserve(conversation)).toBe(1_000);
    await pace.release(conversation);
    expect(await pace.reserve(conversation)).toBe(1_000);
    expect(await pace.acquire(conversation, 500)).toBe(2_000);
    expect(await pace.reserve(conversation)).toBe(2_000);
  });
});
