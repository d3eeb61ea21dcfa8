import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { decideApproval } from '../core/approvals.ts';
import { Invalid } from '../core/errors.ts';
import { rateTicket, satisfactionReport } from '../core/satisfaction.ts';
import type { TicketView } from '../core/view.ts';
import type { ApiEnv } from './context.ts';
import { DecisionBody, errorResponses, IdempotencyHeader, isoInstant, KeyParam, SatisfactionBody, StepParam, TicketSchema } from './schemas.ts';

const DAY_MS = 86_400_000;
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

function out(ticket: TicketView) {
  const { id: _id, ...rest } = ticket;
  return rest;
}

const Figures = {
  asked: z.number().int().openapi({ description: 'surveys sent' }),
  answered: z.number().int().openapi({ description: 'ratings given (asked or not)' }),
  responseRate: z.number().nullable().openapi({ description: 'answered of the asked / asked (0..1)' }),
  csat: z.number().nullable().openapi({ description: 'share of ratings that are 4 or 5 (0..1)' }),
  mean: z.number().nullable().openapi({ description: 'mean rating, 1..5' }),
};
const SatisfactionReport = z
  .object({
    from: z.string(),
    to: z.string(),
    queue: z.string().nullable(),
    totals: z.object(Figures),
    byQueue: z.array(z.object({ queue: z.string(), ...Figures })),
    byChannel: z.array(z.object({ channel: z.string().openapi({ description: 'the channel the ticket came from' }), ...Figures })),
    byAgent: z.array(z.object({ agent: z.object({ email: z.string(), name: z.string().nullable() }).nullable().openapi({ description: 'the assignee when the survey was sent' }), ...Figures })),
  })
  .openapi('SatisfactionReport');

const ReportQuery = z.object({
  from: isoInstant.optional().openapi({ description: 'surveys sent at or after (default: 30 days before `to`)', example: '2026-11-01' }),
  to: isoInstant.optional().openapi({ description: 'surveys sent before (default: now)', example: '2026-12-01' }),
  queue: z.string().max(10).optional().openapi({ description: 'one queue key, e.g. IT' }),
});

/** Approval decisions, the requester's rating, and the satisfaction report. */
export function approvalRoutes(): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tickets/{key}/approvals/{step}/decision',
      tags: ['approvals'],
      summary: "Approve or reject an approval step; only that step's approver (403 otherwise); a step already decided is 409 with who decided what and when",
      request: { params: StepParam, headers: IdempotencyHeader, ...body(DecisionBody) },
      responses: { 200: json(TicketSchema, 'The ticket after the decision'), ...errorResponses },
    }),
    async (c) => {
      const { key, step } = c.req.valid('param');
      const input = c.req.valid('json');
      const result = await decideApproval(c.var.core, { ticketKey: key, step, decision: input.decision, comment: input.comment, approver: input.approver, channel: 'api', idempotencyKey: c.var.idempotencyKey(`decision:${key}:${step}`) });
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(out(result.ticket), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tickets/{key}/satisfaction',
      tags: ['satisfaction'],
      summary: 'The requester rates a resolved ticket 1–5 (changeable until it is closed); anyone else is 403, a ticket not resolved 409',
      request: { params: KeyParam, headers: IdempotencyHeader, ...body(SatisfactionBody) },
      responses: { 200: json(TicketSchema, 'The ticket with its rating'), ...errorResponses },
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const input = c.req.valid('json');
      const result = await rateTicket(c.var.core, { ticketKey: key, rating: input.rating, comment: input.comment, rater: input.rater, channel: 'api', idempotencyKey: c.var.idempotencyKey(`satisfaction:${key}`) });
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(out(result.ticket), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/satisfaction',
      tags: ['reports'],
      summary: 'Satisfaction by queue, channel and agent: asked, answered, response rate, CSAT (share of 4–5), mean',
      request: { query: ReportQuery },
      responses: { 200: json(SatisfactionReport, 'Figures for the surveys sent in [from, to)'), ...errorResponses },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const to = query.to ?? c.var.core.now();
      const from = query.from ?? new Date(to.getTime() - 30 * DAY_MS);
      if (from.getTime() >= to.getTime()) throw new Invalid('`from` must be before `to`', [{ path: 'from', message: 'must be before to' }]);
      const queue = query.queue?.toUpperCase();
      if (queue && !(queue in c.var.catalog.queues)) throw new Invalid(`unknown queue '${query.queue}'`, [{ path: 'queue', message: 'no such queue' }]);
      return c.json(await satisfactionReport(c.var.core.db, { from, to, queues: queue ? [queue] : null }), 200);
    },
  );

  return app;
}
