import { LIST_SORTS } from '../core/queries.ts';
import { z } from '@hono/zod-openapi';
import { PRIORITIES } from '../core/catalog.ts';
import { STATUSES } from '../core/status.ts';
import { MAX_INT4 } from '../http/input.ts';
import { descriptionRule, personRefRule, titleRule } from '../core/request-rules.ts';

/** Shared request/response schemas of /api/v1; OpenAPI is generated from these. */

/** A query instant: an ISO 8601 date (midnight UTC) or date-time, as a Date. */
export const isoInstant = z
  .string()
  .refine((text) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(new Date(text).getTime()), 'must be an ISO 8601 date or date-time, like 2026-11-01 or 2026-11-01T00:00:00Z')
  .transform((text) => new Date(text));

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string().openapi({ example: 'no ticket IT-999' }),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

const PersonRef = z.object(personRefRule.shape).openapi('PersonRef');
const PersonOut = z.object({ email: z.string(), name: z.string().nullable() });
const Clock = z.object({
  dueAt: z.string().nullable().openapi({ example: '2026-11-24T10:30:00.000Z' }),
  state: z.enum(['running', 'paused', 'met', 'breached']),
});

export const TicketSchema = z
  .object({
    key: z.string().openapi({ example: 'IT-42' }),
    title: z.string(),
    description: z.string(),
    status: z.enum(STATUSES),
    priority: z.enum(PRIORITIES),
    queue: z.string().openapi({ example: 'IT' }),
    type: z.string().openapi({ example: 'laptop' }),
    origin: z.string().openapi({ example: 'slack' }),
    requester: PersonOut,
    assignee: PersonOut.nullable(),
    fields: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
    sla: z.object({ firstResponse: Clock, resolution: Clock }),
    approvals: z
      .array(
        z
          .object({
            step: z.number().int().openapi({ description: '1, 2, ... in the order they are decided' }),
            rule: z.string().openapi({ description: 'manager | field:<id> | queue_leads', example: 'manager' }),
            approver: PersonOut.nullable().openapi({ description: 'who must decide; null while any lead of the queue may (until one has)' }),
            state: z.enum(['pending', 'approved', 'rejected']),
            current: z.boolean().openapi({ description: 'the step whose turn it is' }),
            reason: z.string().nullable().openapi({ description: 'why the step went to the queue\'s leads (its approver is missing)' }),
            decidedBy: PersonOut.nullable(),
            decidedAt: z.string().nullable(),
            comment: z.string().nullable(),
          })
          .openapi('ApprovalStep'),
      )
      .openapi({ description: 'the approval steps of the request type, [] when it needs none' }),
    satisfaction: z
      .object({ rating: z.number().int().min(1).max(5), comment: z.string().nullable(), ratedAt: z.string() })
      .nullable()
      .openapi('Satisfaction', { description: 'the requester\'s rating, once given' }),
  })
  .openapi('Ticket');

export const EventSchema = z
  .object({
    id: z.number().int(),
    type: z.string().openapi({ example: 'comment' }),
    visibility: z.enum(['public', 'internal']),
    actor: z.object({ email: z.string(), name: z.string().nullable(), role: z.string() }).nullable(),
    channel: z.string().openapi({ example: 'email' }),
    body: z.string(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi('TicketEvent');

export const CreateTicketBody = z
  .object({
    type: z.string().min(1).openapi({ example: 'laptop' }),
    title: titleRule,
    description: descriptionRule.optional(),
    priority: z.enum(PRIORITIES).optional(),
    requester: PersonRef,
    fields: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('CreateTicket');

export const CommentBody = z
  .object({
    body: z.string().trim().min(1).max(40_000),
    visibility: z.enum(['public', 'internal']).default('public'),
    author: PersonRef,
  })
  .openapi('CreateComment');

export const DecisionBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().trim().max(2000).optional().openapi({ description: 'the reason; required to reject' }),
    approver: PersonRef,
  })
  .openapi('ApprovalDecision');

export const StepParam = KeyParamShape().extend({
  step: z.coerce.number().int().min(1).max(100).openapi({ param: { name: 'step', in: 'path' }, example: 1 }),
});

export const SatisfactionBody = z
  .object({
    rating: z.number().int().min(1).max(5),
    comment: z.string().trim().max(2000).optional(),
    rater: PersonRef,
  })
  .openapi('Rate');

export const TransitionBody = z.object({ status: z.enum(STATUSES), actor: PersonRef.optional() }).openapi('Transition');
export const AssignBody = z.object({ assignee: PersonRef.nullable(), actor: PersonRef.optional() }).openapi('Assign');
export const PriorityBody = z.object({ priority: z.enum(PRIORITIES), actor: PersonRef.optional() }).openapi('SetPriority');

export const AgentEmailParam = z.object({ email: z.email('must be an email address').openapi({ param: { name: 'email', in: 'path' }, example: 'marta.lopez@example.com' }) });
export const AvailabilityBody = z.object({ away: z.boolean().openapi({ description: 'true = away (no new tickets are assigned), false = back' }) }).strict().openapi('Availability');
export const AvailabilitySchema = z
  .object({ email: z.string(), away: z.boolean(), queues: z.array(z.string()).openapi({ description: 'the queues the agent works' }) })
  .openapi('AgentAvailability');

function KeyParamShape() {
  return z.object({ key: z.string().regex(/^[A-Za-z][A-Za-z0-9]*-\d+$/, 'must be a ticket key like IT-42').openapi({ param: { name: 'key', in: 'path' }, example: 'IT-42' }) });
}
export const KeyParam = KeyParamShape();

export const ListQuery = z.object({
  queue: z.string().optional(),
  status: z.string().optional().openapi({ description: 'one status or a comma-separated list' }),
  assignee: z.string().optional().openapi({ description: 'assignee email, or "none"' }),
  requester: z.string().optional(),
  priority: z.string().optional().openapi({ description: 'one priority or a comma-separated list (P1..P4)' }),
  channel: z.string().max(20).optional().openapi({ description: 'the channel the ticket came from (slack, teams, email, web, api)' }),
  q: z.string().max(200).optional().openapi({ description: 'full-text search (websearch syntax: "a phrase", or, -not) over key, title, description, field values and comments, internal notes included; ranked best first unless sort is given' }),
  sort: z.enum(LIST_SORTS).optional().openapi({ description: 'due (next SLA instant first), updated, created (default without q), rank (default with q)' }),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** A numeric id in a path: a whole number a Postgres integer can hold (larger ones are nobody's). */
export const IdParam = z.object({ id: z.coerce.number().int().min(1).max(MAX_INT4).openapi({ param: { name: 'id', in: 'path' }, example: 7 }) });

export const IdempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().openapi({ description: 'repeat a POST safely: a repeat returns the first result' }),
});

export const errorResponses = {
  400: { description: 'Malformed or invalid input', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or wrong bearer token', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'The named actor or author may not do this on the ticket\'s queue (code forbidden)', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Not found', content: { 'application/json': { schema: ErrorSchema } } },
  409: { description: 'Conflict (e.g. an illegal transition)', content: { 'application/json': { schema: ErrorSchema } } },
  413: { description: 'Body over 1 MiB', content: { 'application/json': { schema: ErrorSchema } } },
  415: { description: 'The body is not JSON (send content-type: application/json)', content: { 'application/json': { schema: ErrorSchema } } },
  422: { description: 'The Idempotency-Key was first used with a different request', content: { 'application/json': { schema: ErrorSchema } } },
} as const;
