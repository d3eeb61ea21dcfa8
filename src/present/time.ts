import { DateTime } from 'luxon';

/**
 * Times as a person reads them: absolute, in the reader's own zone (people.time_zone, else
 * the queue's calendar zone). A relative phrase ("in 2 h") is only for a renderer that draws
 * the page when it is read (the web); a card that stays in a channel or a mail in an inbox
 * would go stale, so they get the absolute time only.
 */
export interface When {
  iso: string;
  /** "Thu 3 Dec, 11:30 Europe/Madrid" */
  text: string;
  zone: string;
}

/** A zone luxon accepts, else the fallback (a Slack profile may carry a zone we do not know). */
export function readerZone(personZone: string | null | undefined, queueZone: string): string {
  if (personZone && DateTime.now().setZone(personZone).isValid) return personZone;
  return DateTime.now().setZone(queueZone).isValid ? queueZone : 'UTC';
}

export function absolute(iso: string, zone: string): When {
  const at = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale('en-GB');
  return { iso, zone, text: `${at.toFormat('ccc d LLL, HH:mm')} ${zone}` };
}

/** "d LLL, HH:mm" for timeline entries, in the zone the page states once. */
export function shortTime(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale('en-GB').toFormat('d LLL, HH:mm');
}
