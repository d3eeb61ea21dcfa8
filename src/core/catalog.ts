import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, inArray, isNull, notInArray } from 'drizzle-orm';
import YAML from 'yaml';
import { z } from 'zod';
import type { Conn, Db } from '../db/client.ts';
import { queues, requestTypes, tickets } from '../db/schema.ts';
import { calendarSchema } from './sla/calendar.ts';
import { durationSchema } from './sla/business-time.ts';
import { Invalid } from './errors.ts';
import { ensureCursors } from './assignment.ts';
import { syncRoster } from './roles.ts';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const prioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof prioritySchema>;

export const FIELD_TYPES = ['text', 'textarea', 'select', 'date', 'email', 'checkbox', 'number'] as const;

const fieldSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case (letters, digits, _)'),
    label: z.string().min(1),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().default(false),
    options: z.array(z.coerce.string()).optional(),
    help: z.string().optional(),
    placeholder: z.string().optional(),
  })
  .strict()
  .refine((f) => f.type !== 'select' || (f.options?.length ?? 0) > 0, {
    message: 'a select field needs options',
    path: ['options'],
  });
export type FieldDef = z.infer<typeof fieldSchema>;

const slaTargetSchema = z.object({ first_response: durationSchema, resolution: durationSchema }).strict();

const escalationSchema = z
  .object({ slack_channel: z.string(), teams_channel: z.string(), email: z.email() })
  .partial()
  .strict()
  .refine((e) => Object.keys(e).length > 0, 'name a slack_channel, teams_channel or email');

export const ASSIGNMENT_MODES = ['none', 'round_robin', 'least_open'] as const;

const rosterEmail = z.email('must be an email address').transform((e) => e.toLowerCase());

/** Calendar time ("7d", "2d12h", "20m") in minutes; follow-ups and cooldowns are not business time. */
export const calendarDurationSchema = z.string().transform((text, ctx) => {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  const total = match ? Number(match[1] ?? 0) * 1440 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) : 0;
  if (!match || total === 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; use days, hours and minutes like 7d, 2d12h or 20m` });
    return z.NEVER;
  }
  return total;
});

/** An approval step: the requester's manager, an email field of the form, or any lead of the queue. */
const approvalSchema = z
  .object({
    approver: z
      .string()
      .refine((v) => v === 'manager' || v === 'queue_leads' || /^field:[a-z][a-z0-9_]*$/.test(v), 'approver must be manager, queue_leads or field:<an email field id>'),
  })
  .strict();

const macroSchema = z.object({ title: z.string().min(1), body: z.string().min(1) }).strict();

const queueSchema = z
  .object({
    name: z.string().min(1),
    calendar: z.string(),
    slack_channel: z.string().optional(),
    teams_channel: z.string().optional(),
    mailbox: z.email().optional(),
    warn_at: z.number().gt(0).lt(1).default(0.75),
    escalation: escalationSchema.optional(),
    /** The request type for requests that arrive without one (e.g. a plain email to the mailbox). */
    default_type: z.string().optional(),
    /** Who works this queue (emails); `leads` are agents who also see the queue's reports. */
    agents: z.array(rosterEmail).default([]),
    leads: z.array(rosterEmail).default([]),
    /** How a new ticket gets an assignee: none (default), round_robin or least_open. */
    assignment: z.enum(ASSIGNMENT_MODES).default('none'),
    satisfaction: z.object({ survey: z.boolean().default(false), cooldown: calendarDurationSchema.optional() }).strict().optional(),
    follow_up: z
      .object({
        remind_waiting: z.array(calendarDurationSchema).default([]),
        resolve_waiting_after: calendarDurationSchema.optional(),
        close_resolved_after: calendarDurationSchema.optional(),
      })
      .strict()
      .optional(),
    /** Mean agent effort per ticket, for staffing forecasts. */
    handling_time: calendarDurationSchema.optional(),
  })
  .strict();

const requestTypeSchema = z
  .object({
    queue: z.string(),
    name: z.string().min(1),
    description: z.string().default(''),
    default_priority: prioritySchema.default('P3'),
    fields: z.array(fieldSchema).default([]),
    sla: z.partialRecord(prioritySchema, slaTargetSchema).default({}),
    /** In order; every step must approve before the desk works the ticket. */
    approvals: z.array(approvalSchema).default([]),
  })
  .strict();

const catalogShape = z
  .object({
    /** May do anything, see every queue and report. */
    admins: z.array(rosterEmail).default([]),
    calendars: z.record(z.string(), calendarSchema),
    queues: z.record(z.string().regex(/^[A-Z][A-Z0-9]{0,9}$/, 'queue keys are 1-10 capitals/digits, e.g. IT'), queueSchema),
    request_types: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'type keys are lower-kebab-case'), requestTypeSchema),
    /** Canned replies agents pick from. */
    macros: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'macro keys are lower-kebab-case'), macroSchema).default({}),
  })
  .strict();

type Issue = { path: PropertyKey[]; message: string };

/**
 * The checks across sections (a queue's calendar exists, a type's queue exists...). They read
 * the document loosely, so they run even when other parts of the file are invalid and every
 * problem is reported at once.
 */
function crossChecks(doc: unknown): Issue[] {
  const issues: Issue[] = [];
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const root = obj(doc);
  const calendars = obj(root.calendars);
  const queueDefs = obj(root.queues);
  const typeDefs = obj(root.request_types);
  for (const [key, raw] of Object.entries(queueDefs)) {
    const queue = obj(raw);
    if (typeof queue.calendar === 'string' && !(queue.calendar in calendars)) {
      issues.push({ path: ['queues', key, 'calendar'], message: `unknown calendar '${queue.calendar}'` });
    }
    if (typeof queue.default_type === 'string' && obj(typeDefs[queue.default_type]).queue !== key) {
      issues.push({ path: ['queues', key, 'default_type'], message: `'${queue.default_type}' is not a request type of queue ${key}` });
    }
    const mode = queue.assignment;
    if ((mode === 'round_robin' || mode === 'least_open') && list(queue.agents).length + list(queue.leads).length === 0) {
      issues.push({ path: ['queues', key, 'assignment'], message: `${mode} needs agents or leads to assign to` });
    }
  }
  for (const [key, raw] of Object.entries(typeDefs)) {
    const type = obj(raw);
    if (typeof type.queue === 'string' && !(type.queue in queueDefs)) {
      issues.push({ path: ['request_types', key, 'queue'], message: `unknown queue '${type.queue}'` });
    }
    const ids = new Set<string>();
    const fields = list(type.fields).map(obj);
    fields.forEach((field, i) => {
      if (typeof field.id !== 'string') return;
      if (ids.has(field.id)) issues.push({ path: ['request_types', key, 'fields', i, 'id'], message: `duplicate field id '${field.id}'` });
      ids.add(field.id);
    });
    list(type.approvals).forEach((rawStep, i) => {
      const approver = obj(rawStep).approver;
      if (typeof approver !== 'string') return;
      const where = ['request_types', key, 'approvals', i, 'approver'];
      const fieldRef = /^field:(.+)$/.exec(approver)?.[1];
      if (fieldRef) {
        const field = fields.find((f) => f.id === fieldRef);
        if (!field) issues.push({ path: where, message: `no field '${fieldRef}' in this request type` });
        else if (field.type !== 'email') issues.push({ path: where, message: `field '${fieldRef}' is not an email field` });
      }
      if (approver === 'queue_leads' && typeof type.queue === 'string' && type.queue in queueDefs && list(obj(queueDefs[type.queue]).leads).length === 0) {
        issues.push({ path: where, message: `queue ${type.queue} has no leads to approve` });
      }
    });
  }
  return issues;
}

export const catalogSchema = catalogShape.superRefine((catalog, ctx) => {
  for (const issue of crossChecks(catalog)) ctx.addIssue({ code: 'custom', path: issue.path as Array<string | number>, message: issue.message });
});

export type Catalog = z.infer<typeof catalogSchema>;
export type RequestTypeDef = Catalog['request_types'][string];

export const sampleCatalogFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'sample-catalog.yaml');

/** One problem in a catalog file: where (a dotted path, and the line when known) and what. */
export interface CatalogProblem {
  path: string;
  line: number | null;
  message: string;
}

/**
 * Parse and validate catalog YAML text. Every problem is reported at once, one per line
 * ("path (line N): message"); the Invalid's details carry them as CatalogProblem[].
 */
export function parseCatalog(text: string, file: string): Catalog {
  const result = checkCatalog(text);
  if (result.ok) return result.catalog;
  const { problems } = result;
  if (result.yaml) {
    throw new Invalid(`catalog ${file}: not valid YAML: ${problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.message}`).join('; ')}`, problems);
  }
  const lines = problems.map((p) => `${p.path}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`);
  const message = problems.length === 1 ? `catalog ${file}: ${lines[0]}` : `catalog ${file}: ${problems.length} problems\n${lines.map((l) => `  ${l}`).join('\n')}`;
  throw new Invalid(message, problems);
}

/** Validate catalog text without throwing: the catalog, or every problem found. */
export function checkCatalog(text: string): { ok: true; catalog: Catalog } | { ok: false; yaml: boolean; problems: CatalogProblem[] } {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter });
  if (doc.errors.length) {
    return {
      ok: false,
      yaml: true,
      problems: doc.errors.map((e) => ({ path: '(yaml)', line: e.linePos?.[0]?.line ?? null, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') })),
    };
  }
  const raw: unknown = doc.toJS();
  const parsed = catalogShape.safeParse(raw);
  const issues: Issue[] = [...(parsed.success ? [] : parsed.error.issues.flatMap(expandIssue)), ...crossChecks(raw)];
  if (!issues.length && parsed.success) return { ok: true, catalog: parsed.data };
  const lineOf = (path: PropertyKey[]): number | null => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as Array<string | number>, true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return null;
  };
  const seen = new Set<string>();
  const problems: CatalogProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    const id = `${path}|${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push({ path, line: lineOf(issue.path), message: issue.message });
  }
  // In file order, so the list reads top to bottom next to the file.
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || a.path.localeCompare(b.path, 'en', { numeric: true }));
  return { ok: false, yaml: false, problems };
}

/** An unknown key is reported at its own path, so the line points at it. */
function expandIssue(issue: z.core.$ZodIssue): Issue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...issue.path, key], message: `unknown key '${key}'` }));
  }
  if (issue.code === 'invalid_key') return [{ path: issue.path, message: issue.issues[0]?.message ?? issue.message }];
  return [{ path: issue.path, message: issue.message }];
}

export function loadCatalogFile(file: string | undefined): Catalog {
  const chosen = file ?? sampleCatalogFile;
  let text: string;
  try {
    text = fs.readFileSync(chosen, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Invalid(`catalog ${chosen}: cannot read the file (${code})`);
  }
  return parseCatalog(text, file ?? 'built-in sample');
}

/**
 * Upsert queues and request types from the catalog. A type that disappeared is deleted
 * when it has no tickets and archived when it has some, so old tickets keep working.
 */
export async function syncCatalog(db: Db, catalog: Catalog): Promise<void> {
  await db.transaction(async (tx) => {
    for (const [key, queue] of Object.entries(catalog.queues)) {
      const values = {
        name: queue.name,
        calendarName: queue.calendar,
        calendar: catalog.calendars[queue.calendar]!,
        slackChannel: queue.slack_channel ?? null,
        teamsChannel: queue.teams_channel ?? null,
        mailbox: queue.mailbox?.toLowerCase() ?? null,
        warnAt: queue.warn_at,
        escalation: queue.escalation ?? null,
        assignment: queue.assignment,
        satisfaction: queue.satisfaction ?? null,
        followUp: queue.follow_up ?? null,
        archivedAt: null,
        updatedAt: new Date(),
      };
      await tx.insert(queues).values({ key, ...values }).onConflictDoUpdate({ target: queues.key, set: values });
    }
    let position = 0;
    for (const [key, type] of Object.entries(catalog.request_types)) {
      const values = {
        queueKey: type.queue,
        name: type.name,
        description: type.description,
        defaultPriority: type.default_priority,
        fields: type.fields,
        sla: type.sla,
        approvals: type.approvals,
        position: position++,
        archivedAt: null,
        updatedAt: new Date(),
      };
      await tx.insert(requestTypes).values({ key, ...values }).onConflictDoUpdate({ target: requestTypes.key, set: values });
    }
    await retireRemoved(tx, Object.keys(catalog.request_types), Object.keys(catalog.queues));
    await ensureCursors(tx, Object.keys(catalog.queues));
    // The roster is replaced as a whole: whoever is no longer listed loses their role.
    await syncRoster(tx, {
      admins: catalog.admins,
      queues: Object.fromEntries(Object.entries(catalog.queues).map(([key, q]) => [key, { agents: q.agents, leads: q.leads }])),
    });
  });
}

async function retireRemoved(tx: Conn, typeKeys: string[], queueKeys: string[]): Promise<void> {
  const gone = (
    await tx
      .select({ key: requestTypes.key })
      .from(requestTypes)
      .where(and(notInArray(requestTypes.key, typeKeys), isNull(requestTypes.archivedAt)))
  ).map((t) => t.key);
  const inUse = gone.length
    ? new Set((await tx.selectDistinct({ key: tickets.typeKey }).from(tickets).where(inArray(tickets.typeKey, gone))).map((t) => t.key))
    : new Set<string>();
  const unused = gone.filter((key) => !inUse.has(key));
  const used = gone.filter((key) => inUse.has(key));
  if (unused.length) await tx.delete(requestTypes).where(inArray(requestTypes.key, unused));
  if (used.length) await tx.update(requestTypes).set({ archivedAt: new Date() }).where(inArray(requestTypes.key, used));
  // Queues are only archived: tickets and ticket keys reference them forever.
  await tx
    .update(queues)
    .set({ archivedAt: new Date() })
    .where(and(notInArray(queues.key, queueKeys), isNull(queues.archivedAt)));
}

/**
 * The zod schema for a request type's form values; shared by the API and the web form. Built once
 * per distinct field list (building one cost more than the check itself on every create).
 */
export function fieldValuesSchema(fields: FieldDef[]) {
  const key = JSON.stringify(fields);
  let schema = builtSchemas.get(key);
  if (!schema) {
    const shape: Record<string, z.ZodType> = {};
    for (const field of fields) shape[field.id] = fieldValueSchema(field);
    schema = z.object(shape).strict();
    // A catalog has a handful of types; the bound only matters for a catalog edited all day.
    if (builtSchemas.size >= 256) builtSchemas.clear();
    builtSchemas.set(key, schema);
  }
  return schema;
}

const builtSchemas = new Map<string, z.ZodObject<Record<string, z.ZodType>, z.core.$strict>>();

function fieldValueSchema(field: FieldDef): z.ZodType {
  const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
  let base: z.ZodType;
  switch (field.type) {
    case 'checkbox':
      return z.preprocess(
        (v) => (v === 'on' || v === 'true' || v === '1' ? true : v === 'false' || v === '0' || v === undefined || v === '' ? false : v),
        field.required ? z.literal(true, { error: 'must be checked' }) : z.boolean(),
      );
    case 'number':
      base = z.coerce.number({ error: 'must be a number' });
      break;
    case 'email':
      base = z.email('must be an email address').transform((v) => v.toLowerCase());
      break;
    case 'date':
      base = z.iso.date('must be a date (YYYY-MM-DD)');
      break;
    case 'select':
      base = z.enum(field.options as [string, ...string[]], { error: `must be one of: ${field.options!.join(', ')}` });
      break;
    default:
      base = z.string().trim().max(field.type === 'textarea' ? 10_000 : 500, 'is too long');
  }
  return z.preprocess(blankToUndefined, field.required ? z.any().refine((v) => v !== undefined, 'is required').pipe(base) : base.optional());
}
