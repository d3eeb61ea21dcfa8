import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { explainSla } from '../core/sla/explain.ts';
import type { ApiEnv } from './context.ts';
import { errorResponses, KeyParam } from './schemas.ts';

const Explanation = z
  .object({
    clock: z.enum(['first_response', 'resolution']),
    state: z.enum(['running', 'paused', 'met', 'breached']),
    dueAt: z.string().nullable(),
    timezone: z.string().openapi({ example: 'Europe/Madrid' }),
    targetMinutes: z.number().nullable().openapi({ description: 'the target in business minutes' }),
    startedAt: z.string(),
    pausedMinutes: z.number().openapi({ description: 'business minutes the due time was pushed out by' }),
    pauses: z.array(z.object({ from: z.string(), to: z.string().nullable(), reason: z.enum(['waiting_on_requester', 'resolved', 'awaiting_approval']), businessMinutes: z.number() })),
    closedDays: z.array(z.object({ date: z.string(), reason: z.enum(['holiday', 'short_day']) })),
    text: z.string().openapi({ example: 'due Tue 11:30 Europe/Madrid: 8 business hours from Mon 14:30, paused 1 h 10 min waiting on requester, holiday Mon excluded' }),
  })
  .openapi('SlaExplanation');

const Clock = z.object({ dueAt: z.string().nullable(), state: z.enum(['running', 'paused', 'met', 'breached']), metAt: z.string().nullable(), breachedAt: z.string().nullable(), explanation: Explanation });
const SlaOut = z
  .object({ key: z.string(), timezone: z.string(), summary: z.string().openapi({ example: 'first response due in 2 h 10 min (business hours Europe/Madrid)' }), firstResponse: Clock, resolution: Clock })
  .openapi('TicketSla');

/** GET /api/v1/tickets/:key/sla: both clocks with why they are due when they are. */
export function slaRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(
    createRoute({ method: 'get', path: '/tickets/{key}/sla', tags: ['tickets'], summary: 'The SLA clocks of a ticket, explained', request: { params: KeyParam }, responses: { 200: { description: 'Both clocks', content: { 'application/json': { schema: SlaOut } } }, ...errorResponses } }),
    async (c) => c.json(await explainSla(c.var.core, c.req.valid('param').key), 200),
  );
}
