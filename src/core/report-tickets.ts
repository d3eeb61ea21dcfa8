import { sql, type SQL } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';

/** The columns of GET /reports/tickets.csv, one row per ticket. */
export const TICKET_CSV_COLUMNS = [
  'key',
  'queue',
  'type',
  'priority',
  'channel',
  'status',
  'createdAt',
  'firstResponseAt',
  'firstResponseMinutes',
  'firstResponseState',
  'resolvedAt',
  'resolutionMinutes',
  'resolutionState',
  'reopenCount',
  'agentReplies',
  'firstContactResolution',
] as const;

const iso = (column: string) => sql.raw(`coalesce(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`);
const text = (column: string) => sql.raw(`(case when ${column} ~ '[",\\r\\n]' then '"' || replace(${column}, '"', '""') || '"' else ${column} end)`);
const num = (column: string) => sql.raw(`coalesce(${column}::text, '')`);

/**
 * The clock states of clockState() in sla.ts, in SQL, so a row leaves Postgres as one line of
 * CSV text (decoding a dozen timestamps per row in the driver costs more than the query).
 * test/api/overview.test.ts checks both agree ticket by ticket.
 */
function states(now: string): { firstResponse: SQL; resolution: SQL } {
  return {
    firstResponse: sql`case when first_response_due_at is null then ''
      when first_response_breached_at is not null then 'breached'
      when first_response_at is not null then 'met'
      when resolved_at is not null then case when first_response_due_at < resolved_at then 'breached' else 'paused' end
      when sla_paused_at is not null then case when first_response_due_at < sla_paused_at then 'breached' else 'paused' end
      when first_response_due_at < ${now}::timestamptz then 'breached' else 'running' end`,
    resolution: sql`case when resolution_due_at is null then ''
      when resolution_breached_at is not null then 'breached'
      when resolved_at is not null then 'met'
      when sla_paused_at is not null then case when resolution_due_at < sla_paused_at then 'breached' else 'paused' end
      when resolution_due_at < ${now}::timestamptz then 'breached' else 'running' end`,
  };
}

/**
 * Tickets created in [from, to) as CSV lines (CRLF-terminated), a page at a time by
 * (created_at, id) — the order of the (queue, created_at) index — so a month of a million
 * tickets streams in constant memory and each page starts where the last one stopped.
 */
export async function* ticketCsvPages(db: Conn, filter: { from: Date; to: Date; queue?: string | undefined; now: Date; pageSize?: number }): AsyncGenerator<string> {
  const pageSize = filter.pageSize ?? 5000;
  const state = states(filter.now.toISOString());
  // The cursor keeps created_at as Postgres prints it: microseconds, which a JS Date would cut.
  let after: { at: string; id: number } | null = null;
  for (;;) {
    const where: SQL[] = [sql`created_at < ${filter.to.toISOString()}::timestamptz`];
    where.push(after ? sql`(created_at, id) > (${after.at}::timestamptz, ${after.id})` : sql`created_at >= ${filter.from.toISOString()}::timestamptz`);
    if (filter.queue) where.push(sql`queue_key = ${filter.queue}`);
    const rows = resultRows<{ id: number; at: string; line: string }>(
      await db.execute(sql`
        select id, created_at::text as at, concat_ws(',',
          ${text('key')}, ${text('queue_key')}, ${text('type_key')}, ${text('priority')}, ${text('origin_channel')}, ${text('status')},
          ${iso('created_at')}, ${iso('first_response_at')}, ${num('first_response_minutes')}, ${state.firstResponse},
          ${iso('resolved_at')}, ${num('resolution_minutes')}, ${state.resolution},
          reopen_count::text, agent_replies::text,
          case when resolved_at is null then '' when reopen_count = 0 and agent_replies <= 1 then 'true' else 'false' end) as line
        from tickets
        where ${sql.join(where, sql` and `)}
        order by created_at, id
        limit ${pageSize}`),
    );
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.at, id: Number(last.id) };
    yield `${rows.map((row) => row.line).join('\r\n')}\r\n`;
    if (rows.length < pageSize) return;
  }
}
