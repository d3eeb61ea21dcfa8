import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { addComment, assign, createTicket, getTicket, getTimeline, setPriority, transition, type CommandResult } from '../core/tickets.ts';
import { listTickets } from '../core/queries.ts';
import { setAvailability } from '../core/assignment.ts';
import type { TicketView } from '../core/view.ts';
import type { ApiEnv } from './context.ts';
import {
  AgentEmailParam,
  AssignBody,
  AvailabilityBody,
  AvailabilitySchema,
  CommentBody,
  CreateTicketBody,
  EventSchema,
  IdempotencyHeader,
  KeyParam,
  ListQuery,
  PriorityBody,
  TicketSchema,
  TransitionBody,
  errorResponses,
} from './schemas.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

/** The API's ticket shape (the internal id stays inside). */
function out(ticket: TicketView) {
  const { id: _id, ...rest } = ticket;
  return rest;
}

export function ticketRoutes(): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();

  app.openapi(
    createRoute({ method: 'post', path: '/tickets', tags: ['tickets'], summary: 'Create a ticket', request: { headers: IdempotencyHeader, ...body(CreateTicketBody) }, responses: { 201: json(TicketSchema, 'The ticket (the first one, on a repeated Idempotency-Key)'), ...errorResponses } }),
    async (c) => {
      const input = c.req.valid('json');
      const result = await createTicket(c.var.core, { ...input, channel: 'api', idempotencyKey: c.var.idempotencyKey('create') });
      replayHeader(c, result);
      return c.json(out(result.ticket), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/tickets', tags: ['tickets'], summary: 'List tickets', request: { query: ListQuery }, responses: { 200: json(z.object({ items: z.array(TicketSchema), nextCursor: z.string().nullable() }), 'A page of tickets, newest first unless sorted or searched'), ...errorResponses } }),
    async (c) => {
      const page = await listTickets(c.var.core, { ...c.req.valid('query'), includeInternal: true });
      return c.json({ items: page.items.map(out), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/tickets/{key}', tags: ['tickets'], summary: 'Get a ticket', request: { params: KeyParam }, responses: { 200: json(TicketSchema, 'The ticket'), ...errorResponses } }),
    async (c) => c.json(out(await getTicket(c.var.core, c.req.valid('param').key)), 200),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/tickets/{key}/events', tags: ['tickets'], summary: 'The timeline, internal notes included', request: { params: KeyParam }, responses: { 200: json(z.object({ items: z.array(EventSchema) }), 'Events, oldest first'), ...errorResponses } }),
    async (c) => c.json({ items: await getTimeline(c.var.core, c.req.valid('param').key, { includeInternal: true }) }, 200),
  );

  app.openapi(
    createRoute({ method: 'post', path: '/tickets/{key}/comments', tags: ['tickets'], summary: 'Add a public reply or an internal note', request: { params: KeyParam, headers: IdempotencyHeader, ...body(CommentBody) }, responses: { 201: json(EventSchema, 'The comment event'), ...errorResponses } }),
    async (c) => {
      const { key } = c.req.valid('param');
      const input = c.req.valid('json');
      // The author is checked: the desk, or the requester / a watcher replying on their own ticket.
      const result = await addComment(c.var.core, { ticketKey: key, ...input, as: 'participant', channel: 'api', idempotencyKey: c.var.idempotencyKey(`comment:${key}`) });
      replayHeader(c, result);
      return c.json(result.event!, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/tickets/{key}/transition', tags: ['tickets'], summary: 'Change status; an illegal move is 409 with the allowed states', request: { params: KeyParam, headers: IdempotencyHeader, ...body(TransitionBody) }, responses: { 200: json(TicketSchema, 'The ticket'), ...errorResponses } }),
    async (c) => {
      const { key } = c.req.valid('param');
      const input = c.req.valid('json');
      const result = await transition(c.var.core, { ticketKey: key, status: input.status, actor: input.actor ?? null, channel: 'api', idempotencyKey: c.var.idempotencyKey(`transition:${key}`) });
      replayHeader(c, result);
      return c.json(out(result.ticket), 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/tickets/{key}/assign', tags: ['tickets'], summary: 'Assign or unassign', request: { params: KeyParam, headers: IdempotencyHeader, ...body(AssignBody) }, responses: { 200: json(TicketSchema, 'The ticket'), ...errorResponses } }),
    async (c) => {
      const { key } = c.req.valid('param');
      const input = c.req.valid('json');
      const result = await assign(c.var.core, { ticketKey: key, assignee: input.assignee, actor: input.actor ?? null, channel: 'api', idempotencyKey: c.var.idempotencyKey(`assign:${key}`) });
      replayHeader(c, result);
      return c.json(out(result.ticket), 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/tickets/{key}/priority', tags: ['tickets'], summary: 'Change priority (recomputes SLA targets)', request: { params: KeyParam, headers: IdempotencyHeader, ...body(PriorityBody) }, responses: { 200: json(TicketSchema, 'The ticket'), ...errorResponses } }),
    async (c) => {
      const { key } = c.req.valid('param');
      const input = c.req.valid('json');
      const result = await setPriority(c.var.core, { ticketKey: key, priority: input.priority, actor: input.actor ?? null, channel: 'api', idempotencyKey: c.var.idempotencyKey(`priority:${key}`) });
      replayHeader(c, result);
      return c.json(out(result.ticket), 200);
    },
  );

  app.openapi(
    createRoute({ method: 'post', path: '/agents/{email}/availability', tags: ['agents'], summary: 'Mark an agent away (no new tickets are assigned to them) or back', request: { params: AgentEmailParam, ...body(AvailabilityBody) }, responses: { 200: json(AvailabilitySchema, 'The agent\'s availability'), ...errorResponses } }),
    async (c) => c.json(await setAvailability(c.var.core.db, c.req.valid('param').email, c.req.valid('json').away), 200),
  );

  return app;
}

function replayHeader(c: { header: (name: string, value: string) => void }, result: CommandResult) {
  if (result.replayed) c.header('Idempotent-Replayed', 'true');
}
