import { and, eq, gt, sql } from 'drizzle-orm';
import type { Conn, Tx } from '../db/client.ts';
import { satisfactionSurveys, tickets, type Queue, type Ticket } from '../db/schema.ts';
import type { CommandResult, CoreContext } from './context.ts';
import { Conflict, Forbidden, Invalid } from './errors.ts';
import { idempotent } from './idempotent.ts';
import { appendEvent } from './mirror.ts';
import { resolvePerson, type PersonInput } from './people.ts';
import { lockTicket } from './ticket-rows.ts';
import type { SatisfactionView } from './view.ts';

/**
 * Satisfaction: when a ticket is resolved and its queue has `satisfaction.survey`, the requester
 * is asked "How did we do?" (1–5) on their channel, unless they were asked in that queue within
 * the `cooldown`. One rating per ticket, changeable until the ticket is closed.
 */

interface SurveySettings {
  survey?: boolean;
  /** Calendar minutes. */
  cooldown?: number;
}

export const RATING_LABELS: Record<number, string> = { 1: 'Very poor', 2: 'Poor', 3: 'OK', 4: 'Good', 5: 'Excellent' };

/** Ask for a rating of a ticket just resolved (inside the resolving command's transaction). */
export async function askSatisfaction(tx: Tx, enabled: ReadonlySet<string>, ticket: Ticket, queue: Queue, now: Date): Promise<boolean> {
  const settings = (queue.satisfaction ?? {}) as SurveySettings;
  if (!settings.survey) return false;
  const [already] = await tx.select({ id: satisfactionSurveys.id }).from(satisfactionSurveys).where(eq(satisfactionSurveys.ticketId, ticket.id));
  if (already) return false;
  if (settings.cooldown) {
    const since = new Date(now.getTime() - settings.cooldown * 60_000);
    const [recent] = await tx
      .select({ id: satisfactionSurveys.id })
      .from(satisfactionSurveys)
      .where(and(eq(satisfactionSurveys.requesterId, ticket.requesterId), eq(satisfactionSurveys.queueKey, ticket.queueKey), gt(satisfactionSurveys.askedAt, since)))
      .limit(1);
    if (recent) return false;
  }
  await tx.insert(satisfactionSurveys).values({ ticketId: ticket.id, queueKey: ticket.queueKey, requesterId: ticket.requesterId, agentId: ticket.assigneeId, channel: ticket.originChannel, askedAt: now, createdAt: now });
  await appendEvent(tx, enabled, {
    ticket,
    type: 'satisfaction_requested',
    visibility: 'internal',
    channel: 'system',
    body: 'Asked the requester how we did (1–5)',
    data: { notify: [ticket.requesterId], notifyAs: 'survey' },
    at: now,
    known: { queue },
  });
  return true;
}

export interface RateInput {
  ticketKey: string;
  rating: number;
  comment?: string | undefined;
  rater: PersonInput;
  channel: string;
  idempotencyKey?: string | undefined;
}

/** The requester rates a resolved ticket (again, until it is closed). */
export async function rateTicket(ctx: CoreContext, input: RateInput): Promise<CommandResult> {
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) throw new Invalid('rating must be a whole number from 1 to 5', [{ path: 'rating', message: 'must be 1..5' }]);
  const comment = input.comment?.trim().slice(0, 2000) || null;
  return idempotent(ctx, input.idempotencyKey, async (tx) => {
    const now = ctx.now();
    const ticket = await lockTicket(tx, input.ticketKey);
    const rater = await resolvePerson(tx, input.rater);
    if (rater.id !== ticket.requesterId) throw new Forbidden(`only the requester of ${ticket.key} can rate it`, { requesterOnly: true });
    if (ticket.status === 'closed') throw new Conflict(`${ticket.key} is closed; its rating can no longer change`, { status: ticket.status });
    if (ticket.status !== 'resolved') throw new Conflict(`${ticket.key} is ${ticket.status}; it can be rated once resolved`, { status: ticket.status });
    const [existing] = await tx.select().from(satisfactionSurveys).where(eq(satisfactionSurveys.ticketId, ticket.id));
    const values = { rating: input.rating, comment, ratedAt: now, ratedChannel: input.channel };
    if (existing) await tx.update(satisfactionSurveys).set(values).where(eq(satisfactionSurveys.id, existing.id));
    else await tx.insert(satisfactionSurveys).values({ ticketId: ticket.id, queueKey: ticket.queueKey, requesterId: ticket.requesterId, agentId: ticket.assigneeId, channel: ticket.originChannel, createdAt: now, ...values });
    const view: SatisfactionView = { rating: input.rating, comment, ratedAt: now.toISOString() };
    const [updated] = await tx.update(tickets).set({ satisfaction: view }).where(eq(tickets.id, ticket.id)).returning();
    const changed = existing?.rating != null;
    const event = await appendEvent(tx, ctx.enabled, {
      ticket: updated!,
      type: 'satisfaction_rated',
      visibility: 'internal',
      actor: rater,
      actorRole: 'requester',
      channel: input.channel,
      body: `${changed ? 'Rating changed to' : 'Rated'} ${input.rating}/5 (${RATING_LABELS[input.rating]})${comment ? `: ${comment}` : ''}`,
      data: { rating: input.rating, comment, previous: existing?.rating ?? null, notify: existing?.askedAt ? [ticket.requesterId] : [], notifyAs: 'survey', notifyKind: 'card' },
      idempotencyKey: input.idempotencyKey ?? null,
      at: now,
    });
    return { ticketId: ticket.id, event };
  });
}

export interface SatisfactionFigures {
  asked: number;
  answered: number;
  /** answered of those asked / asked; null when none was asked. */
  responseRate: number | null;
  /** Share of ratings that are 4 or 5; null without ratings. */
  csat: number | null;
  mean: number | null;
}

export interface SatisfactionReport {
  from: string;
  to: string;
  queue: string | null;
  totals: SatisfactionFigures;
  byQueue: Array<{ queue: string } & SatisfactionFigures>;
  byChannel: Array<{ channel: string } & SatisfactionFigures>;
  byAgent: Array<{ agent: { email: string; name: string | null } | null } & SatisfactionFigures>;
}

interface Row {
  queue_key: string;
  channel: string;
  agent_email: string | null;
  agent_name: string | null;
  asked: number | string;
  answered: number | string;
  answered_asked: number | string;
  happy: number | string;
  rating_sum: number | string | null;
}

/**
 * By queue, channel and agent, for surveys asked in [from, to) (or, never asked, answered then):
 * asked, answered, response rate, CSAT (share of 4–5) and the mean rating.
 */
export async function satisfactionReport(conn: Conn, options: { from: Date; to: Date; queues: string[] | null }): Promise<SatisfactionReport> {
  const inQueues = options.queues ? sql`and s.queue_key in (${sql.join(options.queues.map((q) => sql`${q}`), sql`, `)})` : sql``;
  const result = await conn.execute(sql`
    select s.queue_key, s.channel, p.email as agent_email, p.name as agent_name,
           count(*) filter (where s.asked_at is not null) as asked,
           count(s.rating) as answered,
           count(s.rating) filter (where s.asked_at is not null) as answered_asked,
           count(*) filter (where s.rating >= 4) as happy,
           sum(s.rating) as rating_sum
    from ${satisfactionSurveys} s
    left join people p on p.id = s.agent_id
    where coalesce(s.asked_at, s.rated_at) >= ${options.from.toISOString()}::timestamptz
      and coalesce(s.asked_at, s.rated_at) < ${options.to.toISOString()}::timestamptz
      ${inQueues}
    group by s.queue_key, s.channel, p.email, p.name`);
  const rows = (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as Row[];
  const group = <K extends string>(keyOf: (r: Row) => K) => {
    const sums = new Map<K, { asked: number; answered: number; answeredAsked: number; happy: number; ratingSum: number; sample: Row }>();
    for (const r of rows) {
      const key = keyOf(r);
      const s = sums.get(key) ?? { asked: 0, answered: 0, answeredAsked: 0, happy: 0, ratingSum: 0, sample: r };
      s.asked += Number(r.asked);
      s.answered += Number(r.answered);
      s.answeredAsked += Number(r.answered_asked);
      s.happy += Number(r.happy);
      s.ratingSum += Number(r.rating_sum ?? 0);
      sums.set(key, s);
    }
    return [...sums.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, s]) => ({ key, sample: s.sample, figures: figures(s) }));
  };
  const [totals] = group(() => '*');
  return {
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    queue: options.queues?.length === 1 ? options.queues[0]! : null,
    totals: totals?.figures ?? figures({ asked: 0, answered: 0, answeredAsked: 0, happy: 0, ratingSum: 0 }),
    byQueue: group((r) => r.queue_key).map((g) => ({ queue: g.key, ...g.figures })),
    byChannel: group((r) => r.channel).map((g) => ({ channel: g.key, ...g.figures })),
    byAgent: group((r) => r.agent_email ?? '').map((g) => ({ agent: g.sample.agent_email ? { email: g.sample.agent_email, name: g.sample.agent_name } : null, ...g.figures })),
  };
}

function figures(s: { asked: number; answered: number; answeredAsked: number; happy: number; ratingSum: number }): SatisfactionFigures {
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  return {
    asked: s.asked,
    answered: s.answered,
    responseRate: s.asked ? round(s.answeredAsked / s.asked) : null,
    csat: s.answered ? round(s.happy / s.answered) : null,
    mean: s.answered ? round(s.ratingSum / s.answered) : null,
  };
}
