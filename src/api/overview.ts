import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { DateTime } from 'luxon';
import type { Catalog } from '../core/catalog.ts';
import { Invalid } from '../core/errors.ts';
import { overviewReport, type Interval } from '../core/report-overview.ts';
import { deflectionFigures } from '../knowledge/feedback.ts';
import { TICKET_CSV_COLUMNS, ticketCsvPages } from '../core/report-tickets.ts';
import { toCsv } from '../core/sla/report.ts';
import type { ApiEnv } from './context.ts';
import { errorResponses } from './schemas.ts';

const MAX_DAYS = 800;
const dateOrInstant = z
  .string()
  .max(40)
  .refine((text) => /^\d{4}-\d{2}-\d{2}(?:$|T)/.test(text) && DateTime.fromISO(text, { setZone: true }).isValid, 'must be an ISO 8601 date or date-time, like 2026-11-01 or 2026-11-01T00:00:00Z');

const RangeQuery = z.object({
  from: dateOrInstant.optional().openapi({ description: "first day (a date is midnight in the queue's zone); default 30 days before `to`", example: '2026-11-01' }),
  to: dateOrInstant.optional().openapi({ description: 'end, exclusive (default: now)', example: '2026-12-01' }),
  queue: z.string().max(10).optional().openapi({ description: 'one queue key, e.g. IT; an unknown one is a 400' }),
});
const OverviewQuery = RangeQuery.extend({ interval: z.enum(['day', 'week']).default('day') });

const Clock = z.object({ p50: z.number().nullable(), p90: z.number().nullable(), stopped: z.number().int(), waiting: z.number().int(), waitingPct: z.number().nullable(), metPct: z.number().nullable() });
const Figures = z.object({
  created: z.number().int(),
  createdByChannel: z.record(z.string(), z.number().int()),
  resolved: z.number().int(),
  backlog: z.number().int().openapi({ description: 'open tickets at the end of the interval' }),
  firstResponse: Clock.openapi({ description: 'business minutes to the first agent reply; waiting = not answered yet' }),
  resolution: Clock.openapi({ description: 'business minutes to resolution, waiting on the requester excluded' }),
  slaMetPct: z.number().nullable(),
  reopenRate: z.number().nullable(),
  firstContactResolution: z.number().nullable(),
  satisfaction: z.null(),
  deflection: z
    .object({ shown: z.number().int(), solved: z.number().int(), deflected: z.number().int(), pending: z.number().int() })
    .nullable()
    .openapi({ description: 'help articles in the interval: shown, said solved, deflected (solved and nothing filed within 3 days), pending (3 days not over)' }),
});
const Overview = z
  .object({
    from: z.string(),
    to: z.string(),
    queue: z.string().nullable(),
    interval: z.enum(['day', 'week']),
    timezone: z.string(),
    items: z.array(Figures.extend({ start: z.string(), end: z.string(), label: z.string() })),
    totals: Figures,
  })
  .openapi('ReportOverview');

export interface ResolvedRange {
  from: DateTime;
  to: DateTime;
  queue: string | undefined;
  timezone: string;
}

/** from/to/queue → instants in the queue's zone (UTC for every queue); a bad one is a 400. */
export function resolveRange(catalog: Catalog, now: Date, query: { from?: string | undefined; to?: string | undefined; queue?: string | undefined }, defaultDays = 30): ResolvedRange {
  const queue = query.queue?.toUpperCase();
  if (queue !== undefined && !Object.hasOwn(catalog.queues, queue)) {
    throw new Invalid(`unknown queue '${query.queue}'`, [{ path: 'queue', message: `known queues: ${Object.keys(catalog.queues).join(', ')}` }]);
  }
  const timezone = queue ? String((catalog.calendars[catalog.queues[queue]!.calendar] as { timezone?: string } | undefined)?.timezone ?? 'UTC') : 'UTC';
  const parse = (text: string) => (/^\d{4}-\d{2}-\d{2}$/.test(text) ? DateTime.fromISO(text, { zone: timezone }) : DateTime.fromISO(text, { setZone: true }).setZone(timezone));
  const to = query.to ? parse(query.to) : DateTime.fromJSDate(now, { zone: timezone });
  const from = query.from ? parse(query.from) : to.minus({ days: defaultDays }).startOf('day');
  if (from.toMillis() >= to.toMillis()) throw new Invalid('`from` must be before `to`', [{ path: 'from', message: 'must be before to' }]);
  if (to.diff(from, 'days').days > MAX_DAYS) throw new Invalid(`a report covers at most ${MAX_DAYS} days`, [{ path: 'from', message: `at most ${MAX_DAYS} days before to` }]);
  return { from, to, queue, timezone };
}

/** GET /reports/overview and GET /reports/tickets.csv. Mounted through apiExtensions. */
export function overviewRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/overview',
      tags: ['reports'],
      summary: "Per day or week in the queue's zone: arrivals by channel, resolved, backlog, first response and resolution p50/p90, SLA met %, reopen rate, first-contact resolution",
      request: { query: OverviewQuery },
      responses: { 200: { description: 'One item per interval and the totals', content: { 'application/json': { schema: Overview } } }, ...errorResponses },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const range = resolveRange(c.var.catalog, c.var.core.now(), query, query.interval === 'week' ? 84 : 30);
      const now = c.var.core.now();
      const report = await overviewReport(c.var.core.db, { ...range, interval: query.interval as Interval, now });
      // Self-service beside the desk's own figures: per interval, and for the whole range.
      const deflection = (from: string, to: string) => deflectionFigures(c.var.core.db, { from: new Date(from), to: new Date(to), now, queue: range.queue });
      for (const item of report.items) item.deflection = await deflection(item.start, item.end);
      report.totals.deflection = await deflection(report.from, report.to);
      return c.json(report, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/tickets.csv',
      tags: ['reports'],
      summary: 'One CSV row per ticket created in the range, with its clock facts (streamed)',
      request: { query: RangeQuery },
      responses: { 200: { description: 'RFC 4180 CSV with a header line', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses },
    }),
    async (c) => {
      const range = resolveRange(c.var.catalog, c.var.core.now(), c.req.valid('query'));
      const db = c.var.core.db;
      const name = `tickets-${range.from.toISODate()}-${range.to.toISODate()}.csv`;
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', `attachment; filename="${name}"`);
      c.header('cache-control', 'no-store');
      return stream(c, async (out) => {
        await out.write(toCsv([], TICKET_CSV_COLUMNS));
        for await (const page of ticketCsvPages(db, { from: range.from.toJSDate(), to: range.to.toJSDate(), queue: range.queue, now: c.var.core.now() })) {
          await out.write(page);
        }
      });
    },
  );
}
