import { and, asc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Conn } from '../../db/client.ts';
import { queues, requestTypes, tickets } from '../../db/schema.ts';
import { businessMinutesBetween } from './business-time.ts';
import { clockState, rulesFor } from './clocks.ts';

/**
 * The SLA report: for tickets created in [from, to), per queue, request type, priority and
 * origin channel, how the clocks did. Business times are counted on each queue's calendar
 * in JS (the same arithmetic as the clocks), so the figures match what agents were shown.
 *
 * - time to first response: business minutes from creation to the first agent reply;
 * - time to resolution: business minutes from creation to the (last) resolution, less the
 *   business time spent waiting on the requester;
 * - met %: met / (met + breached) among clocks that have a verdict (running clocks are out);
 * - paused: tickets waiting on the requester now; breached: tickets with either clock breached.
 */

export interface SlaReportFilter {
  from: Date;
  to: Date;
  queue?: string | undefined;
}

export interface SlaReportRow {
  queue: string;
  type: string;
  priority: string;
  channel: string;
  tickets: number;
  firstResponseMetPct: number | null;
  resolutionMetPct: number | null;
  firstResponseMedianMinutes: number | null;
  firstResponseP90Minutes: number | null;
  resolutionMedianMinutes: number | null;
  resolutionP90Minutes: number | null;
  paused: number;
  breached: number;
}

export const REPORT_COLUMNS: ReadonlyArray<keyof SlaReportRow> = [
  'queue',
  'type',
  'priority',
  'channel',
  'tickets',
  'firstResponseMetPct',
  'resolutionMetPct',
  'firstResponseMedianMinutes',
  'firstResponseP90Minutes',
  'resolutionMedianMinutes',
  'resolutionP90Minutes',
  'paused',
  'breached',
];

interface Group {
  row: SlaReportRow;
  verdicts: { firstResponse: [number, number]; resolution: [number, number] };
  firstResponseMinutes: number[];
  resolutionMinutes: number[];
}

export async function slaReport(ctx: { db: Conn; now: () => Date }, filter: SlaReportFilter): Promise<SlaReportRow[]> {
  const now = ctx.now();
  const where: SQL[] = [gte(tickets.createdAt, filter.from), lt(tickets.createdAt, filter.to)];
  if (filter.queue) where.push(eq(tickets.queueKey, filter.queue.toUpperCase()));
  const rows = await ctx.db.select().from(tickets).where(and(...where)).orderBy(asc(tickets.id));
  const queueRows = await ctx.db.select().from(queues);
  const typeRows = await ctx.db.select({ key: requestTypes.key, sla: requestTypes.sla }).from(requestTypes);
  const queueOf = new Map(queueRows.map((q) => [q.key, q]));
  const typeOf = new Map(typeRows.map((t) => [t.key, t]));

  const groups = new Map<string, Group>();
  for (const ticket of rows) {
    const { cal } = rulesFor(queueOf.get(ticket.queueKey)!, typeOf.get(ticket.typeKey), ticket.priority);
    const key = JSON.stringify([ticket.queueKey, ticket.typeKey, ticket.priority, ticket.originChannel]);
    let group = groups.get(key);
    if (!group) {
      group = {
        row: { queue: ticket.queueKey, type: ticket.typeKey, priority: ticket.priority, channel: ticket.originChannel, tickets: 0, firstResponseMetPct: null, resolutionMetPct: null, firstResponseMedianMinutes: null, firstResponseP90Minutes: null, resolutionMedianMinutes: null, resolutionP90Minutes: null, paused: 0, breached: 0 },
        verdicts: { firstResponse: [0, 0], resolution: [0, 0] },
        firstResponseMinutes: [],
        resolutionMinutes: [],
      };
      groups.set(key, group);
    }
    group.row.tickets += 1;
    const firstState = clockState(ticket, 'first_response', now);
    const resolutionState = clockState(ticket, 'resolution', now);
    count(group.verdicts.firstResponse, firstState, ticket.firstResponseDueAt !== null);
    count(group.verdicts.resolution, resolutionState, ticket.resolutionDueAt !== null);
    if (ticket.slaPausedAt) group.row.paused += 1;
    if (firstState === 'breached' || resolutionState === 'breached') group.row.breached += 1;
    if (ticket.firstResponseAt) group.firstResponseMinutes.push(businessMinutesBetween(cal, ticket.createdAt, ticket.firstResponseAt));
    if (ticket.resolvedAt) group.resolutionMinutes.push(Math.max(0, businessMinutesBetween(cal, ticket.createdAt, ticket.resolvedAt) - ticket.slaPausedMinutes));
  }

  return [...groups.values()]
    .map(({ row, verdicts, firstResponseMinutes, resolutionMinutes }) => ({
      ...row,
      firstResponseMetPct: share(verdicts.firstResponse),
      resolutionMetPct: share(verdicts.resolution),
      firstResponseMedianMinutes: percentile(firstResponseMinutes, 0.5),
      firstResponseP90Minutes: percentile(firstResponseMinutes, 0.9),
      resolutionMedianMinutes: percentile(resolutionMinutes, 0.5),
      resolutionP90Minutes: percentile(resolutionMinutes, 0.9),
    }))
    .sort((a, b) => a.queue.localeCompare(b.queue) || a.type.localeCompare(b.type) || a.priority.localeCompare(b.priority) || a.channel.localeCompare(b.channel));
}

function count(verdict: [number, number], state: string, hasTarget: boolean) {
  if (!hasTarget) return;
  if (state === 'met') verdict[0] += 1;
  if (state === 'breached') verdict[1] += 1;
}

function share([met, breached]: [number, number]): number | null {
  return met + breached === 0 ? null : round((met / (met + breached)) * 100);
}

/** Continuous percentile (linear interpolation between ranks), as SQL's percentile_cont. */
export function percentile(values: number[], fraction: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = fraction * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return round(sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** RFC 4180: CRLF line ends; a field with a comma, a quote or a line break is quoted, quotes doubled. */
export function toCsv(rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<string>): string {
  const field = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.map(field).join(','), ...rows.map((row) => columns.map((column) => field(row[column])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
