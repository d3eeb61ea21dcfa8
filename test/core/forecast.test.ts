import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { backtest, forecastHours, HOUR_MS, type HourlyHistory } from '../../src/core/arrivals-model.ts';
import { compileCalendar } from '../../src/core/sla/calendar.ts';
import { agentsNeeded, erlangC, serviceLevel } from '../../src/core/erlang.ts';

describe('Erlang C', () => {
  // The worked example most call-centre texts use (callcentrehelper.com, "Erlang C formula –
  // made simple"): 100 calls in 30 minutes, 180 s handling, 80 % answered in 20 s.
  // Published: P(wait) 68.21 %, 44.94 %, 28.53 %, 17.41 %, 10.20 % and service level 39.0 %,
  // 64.0 %, 79.6 %, 88.8 %, 94.2 % for 11..15 agents; 14 agents needed.
  const published = [
    { agents: 11, wait: 0.6821, level: 0.39 },
    { agents: 12, wait: 0.4494, level: 0.64 },
    { agents: 13, wait: 0.2853, level: 0.796 },
    { agents: 14, wait: 0.1741, level: 0.888 },
    { agents: 15, wait: 0.102, level: 0.942 },
  ];
  it.each(published)('matches the published table with $agents agents', ({ agents, wait, level }) => {
    expect(erlangC(agents, 10)).toBeCloseTo(wait, 4);
    expect(serviceLevel(agents, 200, 3, 20 / 60)).toBeCloseTo(level, 2);
  });

  it('needs 14 agents for 80/20 in that example, and none when nobody arrives', () => {
    expect(agentsNeeded(200, 3, 20 / 60, 0.8)).toBe(14);
    expect(agentsNeeded(0, 3, 20 / 60, 0.8)).toBe(0);
  });

  it('never staffs at or below the offered load, and more service needs more agents', () => {
    expect(erlangC(10, 10)).toBe(1);
    const load = (12 * 20) / 60; // 12 tickets an hour, 20 min each: 4 Erlangs
    const ninety = agentsNeeded(12, 20, 30, 0.9);
    expect(ninety).toBeGreaterThan(load);
    expect(agentsNeeded(12, 20, 30, 0.99)).toBeGreaterThanOrEqual(ninety);
    expect(serviceLevel(ninety, 12, 20, 30)).toBeGreaterThanOrEqual(0.9);
    expect(serviceLevel(ninety - 1, 12, 20, 30)).toBeLessThan(0.9);
  });
});

// A seeded generator so the synthetic history is the same on every run.
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function poisson(random: () => number, rate: number): number {
  const limit = Math.exp(-rate);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

const madrid = compileCalendar({
  timezone: 'Europe/Madrid',
  hours: { 'mon-fri': ['09:00-13:00', '14:00-18:00'] },
  holidays: [{ date: '2026-12-08' }],
});

/** The known pattern: busy weekday mornings, a quieter afternoon, a trickle at night and weekends. */
function trueRate(hourMs: number): number {
  const local = DateTime.fromMillis(hourMs, { zone: 'Europe/Madrid' });
  const weekday = local.weekday <= 5;
  if (!weekday) return 0.5;
  if (local.hour >= 9 && local.hour < 13) return local.weekday === 1 ? 14 : 10;
  if (local.hour >= 14 && local.hour < 18) return 6;
  return 1;
}

function syntheticHistory(start: string, weeks: number, seed = 7, scale = 1): HourlyHistory {
  const random = mulberry32(seed);
  const from = new Date(start).getTime();
  const end = from + weeks * 168 * HOUR_MS;
  const counts = new Map<number, number>();
  for (let t = from; t < end; t += HOUR_MS) {
    const n = poisson(random, scale * trueRate(t));
    if (n > 0) counts.set(t, n);
  }
  return { start: new Date(from), end: new Date(end), counts };
}

describe('the arrivals forecast', () => {
  const history = syntheticHistory('2026-09-07T00:00:00Z', 12);
  const from = history.end;

  it('recovers a known weekly pattern within its 80 % interval', () => {
    const forecast = forecastHours(madrid, history, from, 168);
    expect(forecast).toHaveLength(168);
    const covered = forecast.filter((h) => h.low <= trueRate(h.hour.getTime()) && trueRate(h.hour.getTime()) <= h.high).length;
    expect(covered / forecast.length).toBeGreaterThan(0.95);
    const mondayTen = forecast.find((h) => DateTime.fromJSDate(h.hour, { zone: 'Europe/Madrid' }).toFormat('ccc HH') === 'Mon 10')!;
    expect(mondayTen.arrivals).toBeGreaterThan(11);
    expect(mondayTen.arrivals).toBeLessThan(17);
    const sundayTen = forecast.find((h) => DateTime.fromJSDate(h.hour, { zone: 'Europe/Madrid' }).toFormat('ccc HH') === 'Sun 10')!;
    expect(sundayTen.arrivals).toBeLessThan(2);
  });

  it('expects little on a holiday of the calendar when past holidays were quiet', () => {
    // The history has no holiday, so the default ratio applies to Tue 8 Dec 2026.
    const forecast = forecastHours(madrid, syntheticHistory('2026-09-29T00:00:00Z', 10), new Date('2026-12-07T00:00:00Z'), 72);
    const at = (iso: string) => forecast.find((h) => h.hour.toISOString() === iso)!;
    expect(at('2026-12-08T10:00:00.000Z').arrivals).toBeLessThan(at('2026-12-07T10:00:00.000Z').arrivals / 2);
  });

  it('backtests on the last four weeks with a small error at the daily peak', () => {
    // Ten times the volume: about 140 tickets in the Monday peak hour, where Poisson noise alone is ~8 %.
    const result = backtest(madrid, syntheticHistory('2026-09-07T00:00:00Z', 12, 11, 10), 4);
    expect(result.hours).toBe(4 * 168);
    expect(result.peakMape).not.toBeNull();
    expect(result.peakMape!).toBeLessThan(15);
    expect(result.mape!).toBeGreaterThan(0);
  });

  it('has no measure of itself when nothing arrived before the last four weeks (a new desk)', () => {
    // Twelve weeks of history, the first requests this Wednesday at 10:00 Madrid, an open hour:
    // a forecast of zero against them is no "missed by 100 %"; there was nothing to forecast from.
    const counts = new Map([[Date.parse('2026-12-02T09:00:00Z'), 3]]);
    const result = backtest(madrid, { start: new Date('2026-09-09T00:00:00Z'), end: new Date('2026-12-02T10:00:00Z'), counts }, 4);
    expect(result.peakMape).toBeNull();
    expect(result.mape).toBeNull();
  });
});
