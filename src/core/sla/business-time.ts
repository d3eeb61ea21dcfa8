import { DateTime, type Zone } from 'luxon';
import { z } from 'zod';
import type { BusinessCalendar, MinuteRange } from './calendar.ts';

// Business-time arithmetic for SLA clocks. Pure: every instant is passed in.
//
// The walk goes one local day at a time in the calendar's zone: luxon turns each
// day's wall-clock ranges into real instants, so a DST change shortens or lengthens
// the day's open time by exactly what the clocks did. Counting is done in whole
// milliseconds, so adding n minutes and counting them back gives exactly n.

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 24 * 60;
const WEEK_MS = 7 * MINUTES_PER_DAY * MS_PER_MINUTE;

/** Open interval of real time, epoch milliseconds, [start, end). */
interface OpenInterval {
  start: number;
  end: number;
}

interface BusinessDay {
  date: string;
  next: DateTime;
  open: OpenInterval[];
}

function requireInstant(value: Date, name: string): number {
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${name} is not a valid date`);
  return ms;
}

function rangesOn(cal: BusinessCalendar, date: string, isoWeekday: number): ReadonlyArray<MinuteRange> {
  return cal.holidays.get(date) ?? cal.weekly[isoWeekday - 1] ?? [];
}

/**
 * The instant a wall-clock time happens on `day`. A time the clocks skip (spring
 * forward) maps to the instant of the jump, so boundaries stay in order; an
 * ambiguous time (fall back) is its first occurrence, as luxon resolves it.
 */
function instantOf(day: DateTime, nextDay: DateTime, minute: number): number {
  if (minute >= MINUTES_PER_DAY) return nextDay.toMillis();
  const hour = Math.floor(minute / 60);
  const wall = day.set({ hour, minute: minute % 60 });
  if (wall.hour === hour && wall.minute === minute % 60) return wall.toMillis();
  return transitionBefore(day.zone, wall.toMillis());
}

/** Binary search for the first millisecond that has the offset in force at `after`. */
function transitionBefore(zone: Zone, after: number): number {
  const offsetAfter = zone.offset(after);
  let low = after - 2 * MINUTES_PER_DAY * MS_PER_MINUTE;
  let high = after;
  if (zone.offset(low) === offsetAfter) return after;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) === offsetAfter) high = middle;
    else low = middle;
  }
  return high;
}

// A day's open intervals depend only on the calendar and the local date, and working them
// out is most of the cost (every wall-clock time asks the zone for its offset). The scanner
// and the reports ask for the same few days again and again, so they are kept per calendar.
const businessDayCache = new WeakMap<BusinessCalendar, Map<number, BusinessDay>>();
const BUSINESS_DAY_CACHE_LIMIT = 4_096;

function businessDay(cal: BusinessCalendar, day: DateTime): BusinessDay {
  let days = businessDayCache.get(cal);
  if (!days) {
    days = new Map();
    businessDayCache.set(cal, days);
  }
  const key = day.toMillis();
  let found = days.get(key);
  if (!found) {
    if (days.size >= BUSINESS_DAY_CACHE_LIMIT) days.clear();
    found = computeBusinessDay(cal, day);
    days.set(key, found);
  }
  return found;
}

function computeBusinessDay(cal: BusinessCalendar, day: DateTime): BusinessDay {
  const next = day.plus({ days: 1 }).startOf('day');
  const startMs = day.toMillis();
  const endMs = next.toMillis();
  const date = day.toISODate() ?? '';
  const open: OpenInterval[] = [];
  for (const range of rangesOn(cal, date, day.weekday)) {
    const start = Math.max(startMs, instantOf(day, next, range.start));
    const end = Math.min(endMs, instantOf(day, next, range.end));
    if (end <= start) continue;
    const last = open.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else open.push({ start, end });
  }
  return { date, next, open };
}

const HOUR_MS = 60 * MS_PER_MINUTE;
const localDayCache = new WeakMap<BusinessCalendar, Map<number, { day: DateTime; start: number; end: number }>>();

/**
 * The local day containing `ms`. Remembered by the hour it falls in; a remembered day is
 * used only when `ms` lies inside it, so the answer is the same as working it out anew.
 */
function localDayOf(cal: BusinessCalendar, ms: number): DateTime {
  let byHour = localDayCache.get(cal);
  if (!byHour) {
    byHour = new Map();
    localDayCache.set(cal, byHour);
  }
  const hour = Math.floor(ms / HOUR_MS);
  const known = byHour.get(hour);
  if (known && known.start <= ms && ms < known.end) return known.day;
  const day = DateTime.fromMillis(ms, { zone: cal.timezone }).startOf('day');
  if (byHour.size >= BUSINESS_DAY_CACHE_LIMIT) byHour.clear();
  byHour.set(hour, { day, start: day.toMillis(), end: businessDay(cal, day).next.toMillis() });
  return day;
}

/** Open time in an ordinary week: no holiday and no clock change. */
const ordinaryWeekCache = new WeakMap<BusinessCalendar, number>();
function ordinaryWeekMs(cal: BusinessCalendar): number {
  let weekMs = ordinaryWeekCache.get(cal);
  if (weekMs === undefined) {
    weekMs = cal.weekly.flat().reduce((sum, range) => sum + range.end - range.start, 0) * MS_PER_MINUTE;
    ordinaryWeekCache.set(cal, weekMs);
  }
  return weekMs;
}

const holidayStartsCache = new WeakMap<BusinessCalendar, number[]>();

/** Local midnight of every holiday, as epoch ms, computed once per calendar. */
function holidayStarts(cal: BusinessCalendar): number[] {
  let starts = holidayStartsCache.get(cal);
  if (!starts) {
    starts = [...cal.holidays.keys()].map((date) => DateTime.fromISO(date, { zone: cal.timezone }).startOf('day').toMillis());
    holidayStartsCache.set(cal, starts);
  }
  return starts;
}

/**
 * The day 7 days after `day` when the week in between is ordinary, so its open time
 * is ordinaryWeekMs and the walk can jump it; undefined when it must go day by day.
 */
function ordinaryWeekEnd(cal: BusinessCalendar, day: DateTime): DateTime | undefined {
  const weekEnd = day.plus({ days: 7 }).startOf('day');
  const startMs = day.toMillis();
  const endMs = weekEnd.toMillis();
  if (endMs - startMs !== WEEK_MS || weekEnd.offset !== day.offset) return undefined;
  return holidayStarts(cal).some((holidayMs) => startMs <= holidayMs && holidayMs < endMs) ? undefined : weekEnd;
}

/**
 * The instant at which `minutes` business minutes have elapsed counting from `start`.
 * Fractions are kept to the millisecond. For 0 it is `start` itself when open, else
 * the next opening. For n > 0 the result is the earliest such instant, so it can sit
 * exactly on a closing time (e.g. 18:00), never at the following opening.
 */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  const startMs = requireInstant(start, 'start');
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`business minutes must be a finite number ≥ 0, got ${minutes}`);
  }
  let remaining = Math.round(minutes * MS_PER_MINUTE);
  if (cal.alwaysOpen) return new Date(startMs + remaining);
  const weekMs = ordinaryWeekMs(cal);
  // Every week has open hours and only the listed holidays can close more days.
  const closedDaysAllowed = cal.holidays.size + 14;
  let closedDays = 0;
  let day = localDayOf(cal, startMs);
  for (;;) {
    const weekEnd = day.toMillis() >= startMs && weekMs < remaining ? ordinaryWeekEnd(cal, day) : undefined;
    if (weekEnd) {
      remaining -= weekMs;
      closedDays = 0;
      day = weekEnd;
      continue;
    }
    const today = businessDay(cal, day);
    let progressed = false;
    for (const interval of today.open) {
      if (interval.end <= startMs) continue;
      progressed = true;
      const from = Math.max(interval.start, startMs);
      const available = interval.end - from;
      if (available >= remaining) return new Date(from + remaining);
      remaining -= available;
    }
    closedDays = progressed ? 0 : closedDays + 1;
    if (closedDays > closedDaysAllowed) throw new Error(`calendar in ${cal.timezone} never opens after ${today.date}`);
    day = today.next;
  }
}

/** Business minutes in [from, to); 0 when `to` is not after `from`. May be fractional. */
export function businessMinutesBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  const fromMs = requireInstant(from, 'from');
  const toMs = requireInstant(to, 'to');
  if (toMs <= fromMs) return 0;
  if (cal.alwaysOpen) return (toMs - fromMs) / MS_PER_MINUTE;
  const weekMs = ordinaryWeekMs(cal);
  let totalMs = 0;
  let day = localDayOf(cal, fromMs);
  while (day.toMillis() < toMs) {
    const weekEnd =
      day.toMillis() >= fromMs && day.toMillis() + WEEK_MS <= toMs ? ordinaryWeekEnd(cal, day) : undefined;
    if (weekEnd && weekEnd.toMillis() <= toMs) {
      totalMs += weekMs;
      day = weekEnd;
      continue;
    }
    const today = businessDay(cal, day);
    for (const interval of today.open) {
      const overlap = Math.min(interval.end, toMs) - Math.max(interval.start, fromMs);
      if (overlap > 0) totalMs += overlap;
    }
    day = today.next;
  }
  return totalMs / MS_PER_MINUTE;
}

export function isOpen(cal: BusinessCalendar, at: Date): boolean {
  const atMs = requireInstant(at, 'at');
  if (cal.alwaysOpen) return true;
  const day = businessDay(cal, localDayOf(cal, atMs));
  return day.open.some((interval) => interval.start <= atMs && atMs < interval.end);
}

/** `at` itself when open, else the instant the calendar next opens. */
export function nextOpening(cal: BusinessCalendar, at: Date): Date {
  return addBusinessMinutes(cal, at, 0);
}

export interface ClosedDay {
  /** Local date in the calendar's zone, yyyy-mm-dd. */
  date: string;
  reason: 'holiday' | 'short_day';
}

/**
 * Holidays whose local day overlaps [from, to), oldest first, to explain a due date
 * ("holiday Mon excluded"). A whole-day holiday on a day the week is closed anyway
 * changes nothing and is left out; short days are always listed.
 */
export function closedDaysBetween(cal: BusinessCalendar, from: Date, to: Date): ClosedDay[] {
  const fromMs = requireInstant(from, 'from');
  const toMs = requireInstant(to, 'to');
  const closed: ClosedDay[] = [];
  for (const [date, ranges] of cal.holidays) {
    const day = DateTime.fromISO(date, { zone: cal.timezone }).startOf('day');
    const nextDay = day.plus({ days: 1 }).startOf('day');
    if (day.toMillis() >= toMs || nextDay.toMillis() <= fromMs) continue;
    if (ranges.length > 0) closed.push({ date, reason: 'short_day' });
    else if ((cal.weekly[day.weekday - 1] ?? []).length > 0) closed.push({ date, reason: 'holiday' });
  }
  return closed.sort((a, b) => a.date.localeCompare(b.date));
}

/** "45 min", "1 h 10 min", "26 h"; rounded to the minute; negative gets a leading "-". */
export function formatDuration(minutes: number): string {
  const rounded = Math.round(Math.abs(minutes));
  const sign = minutes < 0 && rounded > 0 ? '-' : '';
  const hours = Math.floor(rounded / 60);
  const rest = rounded % 60;
  if (hours === 0) return `${sign}${rest} min`;
  return rest === 0 ? `${sign}${hours} h` : `${sign}${hours} h ${rest} min`;
}

const DURATION_PATTERN = /^(?:(\d+)h)?(?:(\d+)m)?$/;

/** "30m", "4h", "1h30m" → business minutes, or a message saying what is wrong. */
function durationMinutes(text: string): number | string {
  const match = DURATION_PATTERN.exec(text.trim());
  const [, hours, minutes] = match ?? [];
  if (!match || (hours === undefined && minutes === undefined)) {
    return `"${text}" is not a duration; use hours and minutes like 30m, 4h or 1h30m`;
  }
  const total = Number(hours ?? 0) * 60 + Number(minutes ?? 0);
  if (total === 0) return `"${text}" is no time at all; an SLA target must be longer than 0 minutes`;
  return total;
}

export function parseDuration(text: string): number {
  const result = durationMinutes(text);
  if (typeof result === 'string') throw new RangeError(result);
  return result;
}

export const durationSchema = z.string().transform((text, ctx) => {
  const result = durationMinutes(text);
  if (typeof result === 'string') {
    ctx.addIssue({ code: 'custom', message: result });
    return z.NEVER;
  }
  return result;
});
