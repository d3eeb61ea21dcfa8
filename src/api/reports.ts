import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { Invalid } from '../core/errors.ts';
import { REPORT_COLUMNS, slaReport, toCsv } from '../core/sla/report.ts';
import type { ApiEnv } from './context.ts';
import { errorResponses, isoInstant } from './schemas.ts';

const DAY_MS = 24 * 60 * 60_000;

const ReportQuery = z.object({
  from: isoInstant.optional().openapi({ description: 'tickets created at or after (default: 30 days before `to`)', example: '2026-11-01' }),
  to: isoInstant.optional().openapi({ description: 'tickets created before (default: now)', example: '2026-12-01' }),
  queue: z.string().optional().openapi({ description: 'one queue key, e.g. IT' }),
});

const nullableNumber = z.number().nullable();
const ReportRow = z
  .object({
    queue: z.string(),
    type: z.string(),
    priority: z.string(),
    channel: z.string().openapi({ description: 'origin channel of the tickets' }),
    tickets: z.number().int(),
    firstResponseMetPct: nullableNumber,
    resolutionMetPct: nullableNumber,
    firstResponseMedianMinutes: nullableNumber.openapi({ description: 'business minutes' }),
    firstResponseP90Minutes: nullableNumber,
    resolutionMedianMinutes: nullableNumber.openapi({ description: 'business minutes, time waiting on the requester excluded' }),
    resolutionP90Minutes: nullableNumber,
    paused: z.number().int().openapi({ description: 'waiting on the requester now' }),
    breached: z.number().int().openapi({ description: 'either clock breached' }),
  })
  .openapi('SlaReportRow');

const SlaReport = z.object({ from: z.string(), to: z.string(), queue: z.string().nullable(), rows: z.array(ReportRow) }).openapi('SlaReport');

/** GET /api/v1/reports/sla: JSON, or CSV with Accept: text/csv. Mounted through apiExtensions. */
export function reportRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/sla',
      tags: ['reports'],
      summary: 'SLA figures per queue, request type, priority and origin channel',
      request: { query: ReportQuery },
      responses: {
        200: {
          description: 'One row per group; CSV (RFC 4180, header line) when the client accepts text/csv',
          content: { 'application/json': { schema: SlaReport }, 'text/csv': { schema: z.string() } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const to = query.to ?? c.var.core.now();
      const from = query.from ?? new Date(to.getTime() - 30 * DAY_MS);
      if (from.getTime() >= to.getTime()) throw new Invalid('`from` must be before `to`', [{ path: 'from', message: 'must be before to' }]);
      const rows = await slaReport(c.var.core, { from, to, queue: query.queue });
      if (wantsCsv(c.req.header('accept'))) {
        return c.body(toCsv(rows as unknown as Array<Record<string, unknown>>, REPORT_COLUMNS), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="sla-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv"`,
        });
      }
      return c.json({ from: from.toISOString(), to: to.toISOString(), queue: query.queue?.toUpperCase() ?? null, rows }, 200);
    },
  );
}

// CSV only when asked for and preferred to JSON (a wildcard Accept does not count).
function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const quality = (type: string) => {
    for (const part of accept.split(',')) {
      const [name, ...params] = part.trim().split(';');
      if (name?.trim().toLowerCase() !== type) continue;
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return q ? Number(q.slice(2)) : 1;
    }
    return 0;
  };
  const csv = quality('text/csv');
  return csv > 0 && csv >= quality('application/json');
}
