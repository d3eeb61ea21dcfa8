import { sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import type { DeflectionFigures } from '../core/report-overview.ts';
import { kbFeedback } from '../db/schema.ts';

// Honest deflection. A suggestion shown, clicked, "That solved it" and "filed anyway" are
// recorded per article and channel; a request counts as deflected only when the person said
// it was solved AND filed nothing on the same subject (a ticket in one of the article's
// queues, or any ticket for an article of every queue) within 3 days after. Someone we
// cannot identify (no email) saying "solved" is counted as solved, never as deflected.

export const FEEDBACK_EVENTS = ['shown', 'clicked', 'solved', 'filed'] as const;
export type FeedbackEvent = (typeof FEEDBACK_EVENTS)[number];
export const DEFLECTION_WINDOW_DAYS = 3;

export interface FeedbackInput {
  slug: string;
  channel: string;
  event: FeedbackEvent;
  email?: string | null | undefined;
  query?: string | undefined;
  /** Same key twice = recorded once (the same suggestion shown again to one form, a double click). */
  dedupeKey?: string | undefined;
  at?: Date | undefined;
}

export async function recordFeedback(db: Conn, inputs: FeedbackInput[]): Promise<void> {
  if (!inputs.length) return;
  await db
    .insert(kbFeedback)
    .values(
      inputs.map((input) => ({
        slug: input.slug,
        channel: input.channel,
        event: input.event,
        email: input.email?.trim().toLowerCase() || null,
        query: (input.query ?? '').slice(0, 200),
        dedupeKey: input.dedupeKey ?? null,
        ...(input.at ? { createdAt: input.at } : {}),
      })),
    )
    .onConflictDoNothing();
}

export interface DeflectionRow {
  slug: string;
  title: string | null;
  channel: string;
  shown: number;
  clicked: number;
  solved: number;
  filedAnyway: number;
  /** Said solved, nothing filed yet, the 3 days not over: not counted either way yet. */
  pending: number;
  deflected: number;
}

export interface DeflectionReport {
  from: string;
  to: string;
  windowDays: number;
  items: DeflectionRow[];
  /** Shown at least once and never solved anything: the articles to rewrite. */
  notHelping: Array<{ slug: string; title: string | null; shown: number; filedAnyway: number }>;
}

/** A ticket by the same person on the same subject (one of the article's queues) within the window after the "solved" (f: kb_feedback, a: kb_articles). */
const filedSince = sql`exists (
  select 1 from tickets t join people p on p.id = t.requester_id
  where p.email = f.email
    and t.created_at >= f.created_at and t.created_at < f.created_at + ${sql.raw(`interval '${DEFLECTION_WINDOW_DAYS} days'`)}
    and (a.queues is null or a.queues = '[]'::jsonb or a.queues ? t.queue_key))`;

export async function deflectionReport(db: Conn, filter: { from: Date; to: Date; now: Date }): Promise<DeflectionReport> {
  const from = filter.from.toISOString();
  const to = filter.to.toISOString();
  const settled = new Date(filter.now.getTime() - DEFLECTION_WINDOW_DAYS * 86_400_000).toISOString();
  const rows = resultRows<DeflectionRow>(
    await db.execute(sql`
      select f.slug, a.title, f.channel,
        (count(*) filter (where f.event = 'shown'))::int as shown,
        (count(*) filter (where f.event = 'clicked'))::int as clicked,
        (count(*) filter (where f.event = 'solved'))::int as solved,
        (count(*) filter (where f.event = 'filed'))::int as "filedAnyway",
        (count(*) filter (where f.event = 'solved' and f.email is not null and f.created_at <= ${settled}::timestamptz and not ${filedSince}))::int as deflected,
        (count(*) filter (where f.event = 'solved' and f.email is not null and f.created_at > ${settled}::timestamptz and not ${filedSince}))::int as pending
      from kb_feedback f left join kb_articles a on a.slug = f.slug
      where f.created_at >= ${from}::timestamptz and f.created_at < ${to}::timestamptz
      group by f.slug, a.title, f.channel
      order by f.slug, f.channel`),
  );
  const bySlug = new Map<string, { slug: string; title: string | null; shown: number; solved: number; filedAnyway: number }>();
  for (const row of rows) {
    const entry = bySlug.get(row.slug) ?? { slug: row.slug, title: row.title, shown: 0, solved: 0, filedAnyway: 0 };
    entry.shown += Number(row.shown);
    entry.solved += Number(row.solved);
    entry.filedAnyway += Number(row.filedAnyway);
    bySlug.set(row.slug, entry);
  }
  const notHelping = [...bySlug.values()]
    .filter((entry) => entry.shown > 0 && entry.solved === 0)
    .sort((a, b) => b.shown - a.shown || a.slug.localeCompare(b.slug))
    .map(({ slug, title, shown, filedAnyway }) => ({ slug, title, shown, filedAnyway }));
  return {
    from,
    to,
    windowDays: DEFLECTION_WINDOW_DAYS,
    items: rows.map((row) => ({ ...row, shown: Number(row.shown), clicked: Number(row.clicked), solved: Number(row.solved), filedAnyway: Number(row.filedAnyway), deflected: Number(row.deflected), pending: Number(row.pending) })),
    notHelping,
  };
}

/**
 * The overview's deflection figures for one range (and queue: articles of that queue or of every
 * queue), by the same 3-day rule as deflectionReport.
 */
export async function deflectionFigures(db: Conn, filter: { from: Date; to: Date; now: Date; queue?: string | undefined }): Promise<DeflectionFigures> {
  const settled = new Date(filter.now.getTime() - DEFLECTION_WINDOW_DAYS * 86_400_000).toISOString();
  const queue = filter.queue ? sql`and (a.queues = '[]'::jsonb or a.queues ? ${filter.queue})` : sql``;
  const [row] = resultRows<{ shown: number; solved: number; deflected: number; pending: number }>(
    await db.execute(sql`
      select
        (count(*) filter (where f.event = 'shown'))::int as shown,
        (count(*) filter (where f.event = 'solved'))::int as solved,
        (count(*) filter (where f.event = 'solved' and f.email is not null and f.created_at <= ${settled}::timestamptz and not ${filedSince}))::int as deflected,
        (count(*) filter (where f.event = 'solved' and f.email is not null and f.created_at > ${settled}::timestamptz and not ${filedSince}))::int as pending
      from kb_feedback f left join kb_articles a on a.slug = f.slug
      where f.created_at >= ${filter.from.toISOString()}::timestamptz and f.created_at < ${filter.to.toISOString()}::timestamptz ${queue}`),
  );
  return { shown: Number(row?.shown ?? 0), solved: Number(row?.solved ?? 0), deflected: Number(row?.deflected ?? 0), pending: Number(row?.pending ?? 0) };
}
