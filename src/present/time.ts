/**
 * Times as a person reads them: absolute, in the reader's own zone (people.time_zone, else
 * the queue's calendar zone). A relative phrase ("in 2 h") is only for a renderer that draws
 * the page when it is read (the web); a card that stays in a channel or a mail in an inbox
 * would go stale, so they get the absolute time only.
 *
 * Formatted with one cached Intl.DateTimeFormat per zone (the words are ICU's en-GB, as luxon's
 * `ccc d LLL, HH:mm` gave them, test/present/time.test.ts compares the two): every card, mail and
 * timeline line formats several times, and luxon built a formatter per token per call.
 */
export interface When {
  iso: string;
  /** "Thu 3 Dec, 11:30 Europe/Madrid" */
  text: string;
  zone: string;
}

type Parts = { weekday: string; day: string; month: string; hour: string; minute: string };

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** The zone's formatter, or null for a zone Intl does not know. */
function formatterOf(zone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      formatter = null; // RangeError: an unknown time zone
    }
    // Zones come from profiles and the catalog: a few hundred at most, but bound it all the same.
    if (formatters.size > 1_000) formatters.clear();
    formatters.set(zone, formatter);
  }
  return formatter;
}

function partsOf(iso: string, zone: string): Parts | null {
  const at = Date.parse(iso);
  const formatter = formatterOf(zone);
  if (Number.isNaN(at) || !formatter) return null;
  const parts: Parts = { weekday: '', day: '', month: '', hour: '', minute: '' };
  for (const part of formatter.formatToParts(at)) if (part.type in parts) parts[part.type as keyof Parts] = part.value;
  return parts;
}

/** A zone we can show times in, else the fallback (a Slack profile may carry a zone we do not know). */
export function readerZone(personZone: string | null | undefined, queueZone: string): string {
  if (personZone && formatterOf(personZone)) return personZone;
  return formatterOf(queueZone) ? queueZone : 'UTC';
}

export function absolute(iso: string, zone: string): When {
  const p = partsOf(iso, zone);
  return { iso, zone, text: `${p ? `${p.weekday} ${p.day} ${p.month}, ${p.hour}:${p.minute}` : 'Invalid DateTime'} ${zone}` };
}

/** "d LLL, HH:mm" for timeline entries, in the zone the page states once. */
export function shortTime(iso: string, zone: string): string {
  const p = partsOf(iso, zone);
  return p ? `${p.day} ${p.month}, ${p.hour}:${p.minute}` : 'Invalid DateTime';
}
