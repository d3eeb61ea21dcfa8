import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { DatabaseUnavailable, describeUnavailable, isDatabaseUnavailable, OutageLog } from '../../src/db/availability.ts';
import type { Logger } from '../../src/logger.ts';

/** A drizzle-style wrapper: the driver's error is the cause. */
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select 1\nparams: '), { cause });
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('telling "the database is away" from "this query is wrong"', () => {
  it('knows refused and dropped connections, restarts and timeouts, through drizzle’s cause chain', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P03', '08006', '53300']) {
      expect(isDatabaseUnavailable(wrapped(coded(code))), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new DatabaseUnavailable('no answer within 300 ms'))).toBe(true);
  });

  it('leaves query errors alone (they stay 4xx/5xx by their own rules)', () => {
    for (const code of ['23505', '22P02', '42P01', '40001', '25P02']) expect(isDatabaseUnavailable(wrapped(coded(code))), code).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it('says why in one line', () => {
    expect(describeUnavailable(wrapped(coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')))).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432');
    expect(describeUnavailable(wrapped(coded('57P03', 'the database system is starting up')))).toBe('57P03: the database system is starting up');
  });
});

describe('an outage is logged once', () => {
  it('warns on the first failure, not on every retry or flap, and says when it is over', () => {
    let now = 0;
    const lines: Array<[string, string]> = [];
    const log = { warn: (_: unknown, msg: string) => lines.push(['warn', msg]), info: (_: unknown, msg: string) => lines.push(['info', msg]) } as unknown as Logger;
    const outage = new OutageLog(log, 'worker', () => now, 5_000);
    for (let i = 0; i < 20; i++) {
      outage.failed(coded('ECONNREFUSED'));
      now += 100;
      if (i % 3 === 0) outage.recovered(); // a restarting server answers now and then
    }
    expect(lines).toEqual([['warn', 'worker: database unavailable; retrying with backoff (logged once per outage)']]);
    now += 5_000;
    outage.recovered();
    expect(lines.at(-1)).toEqual(['info', 'worker: database reachable again']);
    expect(outage.down).toBe(false);
  });
});

describe('delivery settings', () => {
  it('read durations with a unit, and say what is wrong otherwise', () => {
    const config = loadConfig({ DELIVERY_MAX_AGE: '2d', DELIVERY_MAX_BACKOFF: '90s' });
    expect(config.deliveryMaxAgeMs).toBe(2 * 86_400_000);
    expect(config.deliveryMaxBackoffMs).toBe(90_000);
    expect(loadConfig({}).deliveryMaxAgeMs).toBe(24 * 3_600_000);
    expect(loadConfig({}).deliveryMaxAttempts).toBe(0);
    expect(loadConfig({}).deliveryMaxBatch).toBe(32);
    expect(loadConfig({ DELIVERY_MAX_BATCH: '1000' }).deliveryMaxBatch).toBe(1000);
    expect(() => loadConfig({ DELIVERY_MAX_BATCH: '8' })).toThrow(/DELIVERY_MAX_BATCH.*between 32 and 5000/);
    expect(() => loadConfig({ DELIVERY_MAX_AGE: '24' })).toThrow('invalid configuration: DELIVERY_MAX_AGE must be a duration like 30s, 5m, 24h or 2d');
  });
});
