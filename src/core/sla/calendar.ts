import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

// A business calendar as written in the catalog YAML, validated and compiled into
// minute-of-day ranges that business-time.ts walks day by day.

export const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const MINUTES_PER_DAY = 24 * 60;
const RANGE_PATTERN = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Opening range in minutes since local midnight; `end` may be 1440 ("24:00"). */
export interface MinuteRange {
  readonly start: number;
  readonly end: number;
}

function minuteOfDay(hours: string, minutes: string, allowMidnightEnd: boolean): number | undefined {
  const value = Number(hours) * 60 + Number(minutes);
  if (allowMidnightEnd && value === MINUTES_PER_DAY) return value;
  return Number(hours) < 24 && Number(minutes) < 60 ? value : undefined;
}

/** Parses "09:00-13:00"; returns a message saying what is wrong instead of a range. */
function parseRange(text: string): MinuteRange | string {
  const match = RANGE_PATTERN.exec(text);
  if (!match) return `"${text}" is not a time range; write it like "09:00-17:00"`;
  const [, startHour = '', startMinute = '', endHour = '', endMinute = ''] = match;
  const start = minuteOfDay(startHour, startMinute, false);
  const end = minuteOfDay(endHour, endMinute, true);
  if (start === undefined) return `${text} starts at ${startHour}:${startMinute}, which is not a time of day`;
  if (end === undefined) return `${text} ends at ${endHour}:${endMinute}, which is not a time of day (24:00 is the latest end)`;
  if (end < start) return `${text} ends before it starts`;
  if (end === start) return `${text} is empty`;
  return { start, end };
}

const rangeListSchema = z.array(z.string()).superRefine((texts, ctx) => {
  const ranges: Array<MinuteRange & { text: string }> = [];
  texts.forEach((text, index) => {
    const range = parseRange(text);
    if (typeof range === 'string') ctx.addIssue({ code: 'custom', message: range, path: [index] });
    else ranges.push({ ...range, text });
  });
  ranges.sort((a, b) => a.start - b.start);
  let latest: (MinuteRange & { text: string }) | undefined;
  for (const range of ranges) {
    if (latest && range.start < latest.end) {
      ctx.addIssue({ code: 'custom', message: `${latest.text} overlaps ${range.text}` });
    }
    if (!latest || range.end > latest.end) latest = range;
  }
});

/** Expands a day key ("mon", "mon-fri", "sat,sun") into ISO weekdays 1..7. */
function weekdaysOf(key: string): number[] | string {
  const days: number[] = [];
  for (const part of key.split(',').map((piece) => piece.trim())) {
    const [from = '', to = from, ...rest] = part.split('-');
    const first = DAY_KEYS.indexOf(from as (typeof DAY_KEYS)[number]);
    const last = DAY_KEYS.indexOf(to as (typeof DAY_KEYS)[number]);
    if (first < 0 || last < 0 || rest.length > 0) {
      return `"${key}" is not a day; use mon, tue, wed, thu, fri, sat, sun or a range like mon-fri`;
    }
    if (last < first) return `"${key}" runs backwards; write it as ${from}-sun,mon-${to}`;
    for (let day = first; day <= last; day++) days.push(day + 1);
  }
  return days;
}

const weeklyHoursSchema = z.record(z.string(), rangeListSchema).superRefine((hours, ctx) => {
  const seenIn = new Map<number, string>();
  let anyOpen = false;
  for (const [key, ranges] of Object.entries(hours)) {
    const days = weekdaysOf(key);
    if (typeof days === 'string') {
      ctx.addIssue({ code: 'custom', message: days, path: [key] });
      continue;
    }
    for (const day of days) {
      const earlier = seenIn.get(day);
      if (earlier !== undefined) {
        const name = DAY_KEYS[day - 1] ?? String(day);
        ctx.addIssue({ code: 'custom', message: `${name} is given twice ("${earlier}" and "${key}")`, path: [key] });
      }
      seenIn.set(day, key);
    }
    if (days.length > 0 && ranges.length > 0) anyOpen = true;
  }
  if (!anyOpen) ctx.addIssue({ code: 'custom', message: 'the calendar is never open; give at least one day some hours' });
});

// The yaml library may hand over a date-only scalar as a Date at UTC midnight.
const holidayDateSchema = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const date = value instanceof Date ? (Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10)) : value;
  if (!DATE_PATTERN.test(date) || !DateTime.fromISO(date, { zone: 'UTC' }).isValid) {
    ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a date; write it as yyyy-mm-dd` });
    return z.NEVER;
  }
  return date;
});

const holidaySchema = z.preprocess(
  (entry) => (typeof entry === 'string' || entry instanceof Date ? { date: entry } : entry),
  z.strictObject({ date: holidayDateSchema, hours: rangeListSchema.optional() }),
);

const holidayListSchema = z.array(holidaySchema).superRefine((holidays, ctx) => {
  const seen = new Set<string>();
  holidays.forEach((holiday, index) => {
    if (seen.has(holiday.date)) ctx.addIssue({ code: 'custom', message: `${holiday.date} is listed twice`, path: [index] });
    seen.add(holiday.date);
  });
});

export const calendarSchema = z.strictObject({
  timezone: z.string().refine((zone) => IANAZone.isValidZone(zone), {
    error: (issue) => `${String(issue.input)} is not an IANA time zone`,
  }),
  hours: z.union([z.literal('24x7'), weeklyHoursSchema], {
    error: 'hours must be "24x7" or days mapped to time ranges, like mon-fri: ["09:00-17:00"]',
  }),
  holidays: holidayListSchema.optional(),
});

/** The catalog's `calendars:` section: name → calendar. */

export type CalendarDef = z.infer<typeof calendarSchema>;

export interface BusinessCalendar {
  readonly timezone: string;
  /** 24x7 with no holidays: business time is plain elapsed time. */
  readonly alwaysOpen: boolean;
  /** Opening ranges per ISO weekday, index 0 = Monday … 6 = Sunday; sorted, disjoint. */
  readonly weekly: ReadonlyArray<ReadonlyArray<MinuteRange>>;
  /** yyyy-mm-dd (local to the calendar) → the ranges that replace that day's hours; [] = closed. */
  readonly holidays: ReadonlyMap<string, ReadonlyArray<MinuteRange>>;
}

export class InvalidCalendarError extends Error {
  override readonly name = 'InvalidCalendarError';
  constructor(readonly problems: string[]) {
    super(`invalid calendar: ${problems.join('; ')}`);
  }
}

/** Sorted, with touching ranges joined ("09:00-13:00", "13:00-18:00" → 09:00-18:00). */
function compileRanges(texts: readonly string[]): MinuteRange[] {
  const ranges = texts.map(parseRange).filter((range): range is MinuteRange => typeof range !== 'string');
  ranges.sort((a, b) => a.start - b.start);
  const joined: MinuteRange[] = [];
  for (const range of ranges) {
    const last = joined.at(-1);
    if (last && range.start <= last.end) joined[joined.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    else joined.push(range);
  }
  return joined;
}

export function compileCalendar(def: CalendarDef): BusinessCalendar {
  const parsed = calendarSchema.safeParse(def);
  if (!parsed.success) {
    throw new InvalidCalendarError(
      parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)),
    );
  }
  const { timezone, hours, holidays = [] } = parsed.data;
  const weekly: MinuteRange[][] = DAY_KEYS.map(() => []);
  if (hours === '24x7') {
    for (let index = 0; index < weekly.length; index++) weekly[index] = [{ start: 0, end: MINUTES_PER_DAY }];
  } else {
    for (const [key, texts] of Object.entries(hours)) {
      const days = weekdaysOf(key);
      if (typeof days === 'string') continue; // unreachable: validated above
      for (const day of days) weekly[day - 1] = compileRanges(texts);
    }
  }
  const holidayMap = new Map<string, MinuteRange[]>();
  for (const holiday of holidays) holidayMap.set(holiday.date, compileRanges(holiday.hours ?? []));
  return {
    timezone,
    alwaysOpen: hours === '24x7' && holidayMap.size === 0,
    weekly,
    holidays: holidayMap,
  };
}
