import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { kbFeedback } from '../db/schema.ts';
import { recordFeedback } from './feedback.ts';
import { searchKnowledge } from './search.ts';

// "Before you wait for a person": what a chat door (Slack DM, Teams personal chat) shows when
// someone writes to the bot. One platform-free description; slack/suggestion.ts renders it as
// Block Kit and teams/suggestion-card.ts as an Adaptive Card.

/** The action ids (Slack) / submit kinds (Teams) of the two answers. */
export const SUGGESTION_ACTIONS = { solved: 'kb_solved', needHelp: 'kb_need_help' } as const;

export const SUGGESTION_LIMIT = 3;

export interface SuggestedArticle {
  slug: string;
  title: string;
  snippet: string;
  /** The public article page; opening it records a click for `channel`. */
  url: string;
}

export interface Suggestion {
  /** What the person wrote, kept for the request if they still need help. */
  text: string;
  articles: SuggestedArticle[];
  /**
   * Names this one conversation turn ("slack:D123:1700000000.000100", "teams:<activity id>"):
   * every feedback row of the turn is keyed under it, so "filed anyway" finds what was shown.
   */
  turn: string;
  channel: 'slack' | 'teams';
  prompt: string;
  actions: { solved: { id: string; label: string }; needHelp: { id: string; label: string } };
}

/** The public page of an article; `from` counts the click for that channel (GET /kb/:slug?from=). */
export function articleUrl(publicUrl: string, slug: string, from?: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/kb/${encodeURIComponent(slug)}${from ? `?from=${encodeURIComponent(from)}` : ''}`;
}

const feedbackKey = (turn: string, slug: string, event: string) => `${turn}|${slug}|${event}`;

/**
 * The top three articles for what a person wrote, with "shown" recorded for each (once per
 * turn, however often the platform redelivers), or null when nothing matches: then the
 * door goes straight to the type picker as before.
 */
export async function suggestForChat(
  db: Db,
  input: { text: string; channel: 'slack' | 'teams'; turn: string; email: string | null; publicUrl: string },
): Promise<Suggestion | null> {
  const text = input.text.trim();
  if (!text) return null;
  const hits = await searchKnowledge(db, { q: text, limit: SUGGESTION_LIMIT });
  if (!hits.length) return null;
  await recordFeedback(
    db,
    hits.map((hit) => ({ slug: hit.slug, channel: input.channel, event: 'shown' as const, email: input.email, query: text, dedupeKey: feedbackKey(input.turn, hit.slug, 'shown') })),
  );
  return {
    text,
    turn: input.turn,
    channel: input.channel,
    articles: hits.map((hit) => ({ slug: hit.slug, title: hit.title, snippet: shorten(hit.snippet, 160), url: articleUrl(input.publicUrl, hit.slug, input.channel) })),
    prompt: 'These articles may answer it right away. Did one of them solve it?',
    actions: { solved: { id: SUGGESTION_ACTIONS.solved, label: 'That solved it' }, needHelp: { id: SUGGESTION_ACTIONS.needHelp, label: 'I still need help' } },
  };
}

/**
 * "That solved it" on one article: recorded once per turn and article; nothing is filed.
 * False when that article was not shown in that turn (a forged or stale button).
 */
export async function recordSolved(db: Db, input: { turn: string; slug: string; channel: 'slack' | 'teams'; email: string | null }): Promise<boolean> {
  const [shown] = await db
    .select({ query: kbFeedback.query })
    .from(kbFeedback)
    .where(and(eq(kbFeedback.dedupeKey, feedbackKey(input.turn, input.slug, 'shown'))));
  if (!shown) return false;
  await recordFeedback(db, [{ slug: input.slug, channel: input.channel, event: 'solved', email: input.email, query: shown.query, dedupeKey: feedbackKey(input.turn, input.slug, 'solved') }]);
  return true;
}

/** The person filed a request after this turn's suggestions: each shown article gets "filed anyway", once. */
export async function recordFiledAnyway(db: Db, input: { turn: string; channel: 'slack' | 'teams'; email: string | null }): Promise<string[]> {
  const prefix = `${input.turn}|`;
  const shown = await db
    .select({ slug: kbFeedback.slug, query: kbFeedback.query })
    .from(kbFeedback)
    .where(and(eq(kbFeedback.event, 'shown'), sql`starts_with(${kbFeedback.dedupeKey}, ${prefix})`));
  await recordFeedback(
    db,
    shown.map((row) => ({ slug: row.slug, channel: input.channel, event: 'filed' as const, email: input.email, query: row.query, dedupeKey: feedbackKey(input.turn, row.slug, 'filed') })),
  );
  return shown.map((row) => row.slug);
}

function shorten(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2))}…`;
}

/**
 * The articles an email acknowledgement lists: the top three for the mail's subject and body
 * in the ticket's queue, "shown" recorded once per ticket. Email has no "That solved it"
 * button; a click on a link is counted (GET /kb/:slug?from=email).
 */
export async function suggestForAcknowledgement(
  db: Db,
  input: { ticketKey: string; title: string; description: string; queue: string; email: string; publicUrl: string },
): Promise<SuggestedArticle[]> {
  const text = `${input.title}\n${input.description}`.slice(0, 2_000);
  const hits = await searchKnowledge(db, { q: text, queue: input.queue, limit: SUGGESTION_LIMIT });
  await recordFeedback(
    db,
    hits.map((hit) => ({ slug: hit.slug, channel: 'email', event: 'shown' as const, email: input.email, query: input.title, dedupeKey: feedbackKey(`email:${input.ticketKey}`, hit.slug, 'shown') })),
  );
  return hits.map((hit) => ({ slug: hit.slug, title: hit.title, snippet: shorten(hit.snippet, 200), url: articleUrl(input.publicUrl, hit.slug, 'email') }));
}
