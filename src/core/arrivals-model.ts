import { IANAZone } from 'luxon';
import type { BusinessCalendar } from './sla/calendar.ts';
import { isOpen } from './sla/business-time.ts';

// Hourly arrivals forecast: a seasonal profile with a weekly and a daily cycle.
//
// Each hour of the week in the queue's zone (Mon 09:00, Mon 10:00, ... 168 slots) is forecast
// as the exponentially weighted mean of the same slot over the last `trainingWeeks` weeks
// (half-life `halfLifeWeeks`), holidays left out of the profile. An hour on a whole-day holiday
// of the calendar is the profile times the ratio seen on past holidays (or DEFAULT_HOLIDAY_RATIO
// when the history holds none). The 80 % interval is the mean ± 1.2816 standard deviations of
// the slot, the deviation never below Poisson's √mean.
//
// Why this model: arrivals at a service desk are dominated by the hour of the week (the
// seeds' "weekly and daily cycles"); a weighted seasonal mean follows slow drift, needs no
// fitting, is explainable on the page ("the last 8 Mondays at 10:00") and is cheap enough to
// recompute on every request. Heavier models (TBATS, Prophet) are not available in Node and
// gain little at hourly grain where Poisson noise dominates.

export const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;
const Z80 = 1.2816;
export const DEFAULT_HOLIDAY_RATIO = 0.25;

export interface ModelOptions {
  trainingWeeks?: number;
  halfLifeWeeks?: number;
}

export interface HourForecast {
  hour: Date;
  arrivals: number;
  low: number;
  high: number;
}

/** Counts per UTC hour start (ms) over [start, end); hours absent from the map had none. */
export interface HourlyHistory {
  start: Date;
  end: Date;
  counts: Map<number, number>;
}

interface Slot {
  weight: number;
  sum: number;
  sumSquares: number;
}

const DAY_MS = 24 * HOUR_MS;
const offsetCache = new Map<string, number>();

/** The zone's UTC offset (minutes) at `ms`; one Intl lookup per zone and UTC day unless it moves that day (DST). */
function offsetMinutes(zone: string, ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  const key = `${zone}|${day}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const zoneObj = IANAZone.create(zone);
    const start = zoneObj.offset(day * DAY_MS);
    offset = zoneObj.offset((day + 1) * DAY_MS - 1) === start ? start : Number.NaN;
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return Number.isNaN(offset) ? IANAZone.create(zone).offset(ms) : offset;
}

function slotOf(cal: BusinessCalendar, hourMs: number): { slot: number; date: string } {
  const local = new Date(hourMs + offsetMinutes(cal.timezone, hourMs) * 60_000);
  const weekday = (local.getUTCDay() + 6) % 7; // Monday = 0
  return { slot: weekday * 24 + local.getUTCHours(), date: local.toISOString().slice(0, 10) };
}

function isWholeDayHoliday(cal: BusinessCalendar, date: string): boolean {
  const ranges = cal.holidays.get(date);
  return ranges !== undefined && ranges.length === 0;
}

/** Train on `history` up to its end and forecast `hours` hours from `from`. */
export function forecastHours(cal: BusinessCalendar, history: HourlyHistory, from: Date, hours: number, options: ModelOptions = {}): HourForecast[] {
  const trainingWeeks = options.trainingWeeks ?? 8;
  const halfLife = options.halfLifeWeeks ?? 4;
  const end = floorHour(history.end.getTime());
  const trainStart = Math.max(floorHour(history.start.getTime()), end - trainingWeeks * WEEK_MS);
  const slots: Slot[] = Array.from({ length: 168 }, () => ({ weight: 0, sum: 0, sumSquares: 0 }));
  for (let t = trainStart; t < end; t += HOUR_MS) {
    const { slot, date } = slotOf(cal, t);
    if (isWholeDayHoliday(cal, date)) continue;
    const ageWeeks = (end - t) / WEEK_MS;
    const weight = 0.5 ** (ageWeeks / halfLife);
    const count = history.counts.get(t) ?? 0;
    const s = slots[slot]!;
    s.weight += weight;
    s.sum += weight * count;
    s.sumSquares += weight * count * count;
  }
  const mean = (slot: number) => {
    const s = slots[slot]!;
    return s.weight > 0 ? s.sum / s.weight : 0;
  };
  const variance = (slot: number) => {
    const s = slots[slot]!;
    if (s.weight <= 0) return 0;
    const m = s.sum / s.weight;
    return Math.max(0, s.sumSquares / s.weight - m * m);
  };
  const holidayRatio = pastHolidayRatio(cal, history, mean);

  const out: HourForecast[] = [];
  const first = floorHour(from.getTime());
  for (let i = 0; i < hours; i++) {
    const t = first + i * HOUR_MS;
    const { slot, date } = slotOf(cal, t);
    const ratio = isWholeDayHoliday(cal, date) ? holidayRatio : 1;
    const arrivals = mean(slot) * ratio;
    const sd = Math.sqrt(Math.max(variance(slot) * ratio * ratio, arrivals));
    out.push({ hour: new Date(t), arrivals: round2(arrivals), low: round2(Math.max(0, arrivals - Z80 * sd)), high: round2(arrivals + Z80 * sd) });
  }
  return out;
}

/** Arrivals on past whole-day holidays relative to what the profile expected then. */
function pastHolidayRatio(cal: BusinessCalendar, history: HourlyHistory, mean: (slot: number) => number): number {
  let actual = 0;
  let expected = 0;
  const end = floorHour(history.end.getTime());
  for (let t = floorHour(history.start.getTime()); t < end; t += HOUR_MS) {
    const { slot, date } = slotOf(cal, t);
    if (!isWholeDayHoliday(cal, date)) continue;
    actual += history.counts.get(t) ?? 0;
    expected += mean(slot);
  }
  // Shrunk towards the default by one ordinary day's worth of expectation, so a few holiday
  // hours in the history (a night, a quiet morning) do not decide the ratio alone.
  let day = 0;
  for (let slot = 0; slot < 168; slot++) day += mean(slot);
  const prior = day / 7;
  return expected + prior > 0 ? (actual + DEFAULT_HOLIDAY_RATIO * prior) / (expected + prior) : DEFAULT_HOLIDAY_RATIO;
}

export interface Backtest {
  /** Weeks held out at the end of the history and forecast from the rest. */
  weeks: number;
  /** Mean absolute percentage error over the held-out hours that had arrivals (%). */
  mape: number | null;
  /** The same over each open day's busiest forecast hour (%), the hour staffing is sized for. */
  peakMape: number | null;
  hours: number;
}

/** Train on all but the last `weeks` weeks of the history and forecast them. */
export function backtest(cal: BusinessCalendar, history: HourlyHistory, weeks = 4, options: ModelOptions = {}): Backtest {
  const end = floorHour(history.end.getTime());
  const cut = end - weeks * WEEK_MS;
  if (cut <= history.start.getTime() + WEEK_MS) return { weeks, mape: null, peakMape: null, hours: 0 };
  // No request before the cut: there is nothing to forecast the last weeks from, so no measure of
  // the model either (a forecast of zero against this week's first requests would read "missed by 100 %").
  let trained = false;
  for (const [hour, count] of history.counts) {
    if (hour < cut && count > 0) {
      trained = true;
      break;
    }
  }
  if (!trained) return { weeks, mape: null, peakMape: null, hours: 0 };
  const train: HourlyHistory = { start: history.start, end: new Date(cut), counts: history.counts };
  const predicted = forecastHours(cal, train, new Date(cut), weeks * 168, options);
  const errors: number[] = [];
  const peaks = new Map<string, { actual: number; predicted: number }>();
  for (const hour of predicted) {
    const actual = history.counts.get(hour.hour.getTime()) ?? 0;
    if (actual > 0) errors.push(Math.abs(hour.arrivals - actual) / actual);
    const { date } = slotOf(cal, hour.hour.getTime());
    if (!isOpen(cal, hour.hour)) continue;
    const best = peaks.get(date);
    if (!best || hour.arrivals > best.predicted) peaks.set(date, { actual, predicted: hour.arrivals });
  }
  const peakErrors = [...peaks.values()].filter((p) => p.actual > 0).map((p) => Math.abs(p.predicted - p.actual) / p.actual);
  return { weeks, mape: percent(errors), peakMape: percent(peakErrors), hours: predicted.length };
}

function percent(errors: number[]): number | null {
  if (errors.length === 0) return null;
  return Math.round((1000 * errors.reduce((a, b) => a + b, 0)) / errors.length) / 10;
}

export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
