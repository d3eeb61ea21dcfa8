import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { absolute, readerZone, shortTime } from '../../src/present/time.ts';

// What cards, mails and timelines printed before (luxon's en-GB tokens), kept as the reference.
const luxonAbsolute = (iso: string, zone: string) => `${DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale('en-GB').toFormat('ccc d LLL, HH:mm')} ${zone}`;
const luxonShort = (iso: string, zone: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale('en-GB').toFormat('d LLL, HH:mm');

describe('times as a reader sees them', () => {
  it('reads "Wed 2 Dec, 11:24 Europe/Madrid" in the reader\'s zone', () => {
    expect(absolute('2026-12-02T10:24:00.000Z', 'Europe/Madrid')).toEqual({ iso: '2026-12-02T10:24:00.000Z', zone: 'Europe/Madrid', text: 'Wed 2 Dec, 11:24 Europe/Madrid' });
    expect(shortTime('2026-12-02T23:05:00.000Z', 'Asia/Kolkata')).toBe('3 Dec, 04:35');
    expect(absolute('2026-12-02T00:00:00.000Z', 'UTC').text).toBe('Wed 2 Dec, 00:00 UTC');
  });

  it('prints what luxon printed, every hour of two years, across DST changes and odd offsets', () => {
    const zones = ['UTC', 'Europe/Madrid', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'Asia/Kathmandu'];
    const start = Date.parse('2026-01-01T00:17:00.000Z');
    let compared = 0;
    for (let hour = 0; hour < 2 * 366 * 24; hour += 7) {
      const iso = new Date(start + hour * 3_600_000).toISOString();
      for (const zone of zones) {
        expect(absolute(iso, zone).text, `${iso} in ${zone}`).toBe(luxonAbsolute(iso, zone));
        expect(shortTime(iso, zone), `${iso} in ${zone}`).toBe(luxonShort(iso, zone));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(19_000);
  });

  it('falls back from a zone nobody knows: the queue\'s, else UTC', () => {
    expect(readerZone('Europe/Lisbon', 'Europe/Madrid')).toBe('Europe/Lisbon');
    expect(readerZone('Mars/Olympus_Mons', 'Europe/Madrid')).toBe('Europe/Madrid');
    expect(readerZone(null, 'Nowhere/Else')).toBe('UTC');
    expect(absolute('2026-12-02T10:24:00.000Z', 'Mars/Olympus_Mons').text).toBe(luxonAbsolute('2026-12-02T10:24:00.000Z', 'Mars/Olympus_Mons'));
  });
});
