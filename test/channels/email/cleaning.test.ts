import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/channels/email/parse.ts';
import { stripReply } from '../../../src/channels/email/reply-text.ts';
import { corpus, rawOf } from './corpus.ts';

const parse = (raw: Buffer) => parseMessage({ source: raw, mode: 'full', ownDomain: 'example.com', ownAddresses: ['desk@example.com'] });

// The same function the parse worker runs, called in-process: fast, and every fixture on its own.
describe('the mail corpus, parsed, classified and cleaned', () => {
  for (const entry of corpus.messages) {
    it(`${entry.file} (${entry.client}, ${entry.lang}) → ${entry.outcome}${entry.reason ? `: ${entry.reason}` : ''}`, async () => {
      const parsed = await parse(rawOf(entry));
      if (entry.kind) {
        expect(parsed.verdict).toEqual({ input: false, kind: entry.kind, reason: entry.reason });
      } else {
        expect(parsed.verdict).toMatchObject({ input: true });
        expect(parsed.text).toBe(entry.text);
      }
    });
  }

  it('covers every client family, both kinds of automatic mail and all eight languages', () => {
    const langs = new Set(corpus.messages.filter((m) => m.phase === 'reply').map((m) => m.lang));
    expect([...langs].sort()).toEqual(['de', 'en', 'es', 'fr', 'it', 'nl', 'pt', 'ru']);
    expect(corpus.messages.filter((m) => m.kind === 'bounce').length).toBeGreaterThanOrEqual(8);
    expect(corpus.messages.filter((m) => m.kind === 'auto-reply').length).toBeGreaterThanOrEqual(12);
    expect(corpus.messages.length).toBeGreaterThanOrEqual(40);
  });
});

describe('reply cleaning edge cases', () => {
  it('keeps a "Sent from my…" sentence that is not the last line, drops the phone footer that is', () => {
    expect(stripReply('Sent from my desk: please call.\nThanks\n\nSent from my iPhone')).toBe('Sent from my desk: please call.\nThanks');
    expect(stripReply('Sent from my desk phone')).toBe('Sent from my desk phone');
  });

  it('a signature delimiter only counts when a short signature follows', () => {
    const long = ['Intro', '-- ', ...Array.from({ length: 20 }, (_, i) => `line ${i}`)].join('\n');
    expect(stripReply(long)).toBe(long.replace('-- ', '--'));
  });

  it('does not take "On Monday I wrote:" followed by my own text as a quote header', () => {
    expect(stripReply('On Monday I wrote:\nthe printer is broken')).toBe('On Monday I wrote:\nthe printer is broken');
  });

  it('keeps a forwarded message whole, and cuts only the reply history above it', () => {
    expect(stripReply('FYI\n\nBegin forwarded message:\n\nFrom: Bob <bob@example.net>\nDate: today\nSubject: x\nTo: Ann\n\nBody')).toBe(
      'FYI\n\nBegin forwarded message:\n\nFrom: Bob <bob@example.net>\nDate: today\nSubject: x\nTo: Ann\n\nBody',
    );
  });

  // No timing assertion (speed lives in bench/): a backtracking cleaner would not finish within the test timeout.
  it('gets through hostile input (quote-header look-alikes, deep quotes, header storms)', () => {
    const hostile = `${'On '.repeat(200_000)}wrote\n${'> '.repeat(100_000)}\n${'From: x\n'.repeat(50_000)}`;
    expect(stripReply(hostile).length).toBeGreaterThan(0);
  });
});
