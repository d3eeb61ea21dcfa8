import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, inArray, isNull, notInArray } from 'drizzle-orm';
import YAML from 'yaml';
import { z } from 'zod';
import type { Conn, Db } from '../db/client.ts';
import { queues, requestTypes, tickets } from '../db/schema.ts';
import { calendarSchema } from './business-calendar.ts';
import { durationSchema } from './business-time.ts';
import { Invalid } from './errors.ts';

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
export type SlaTarget = z.infer<typeof slaTargetSchema>;

const escalationSchema = z
  .object({ slack_channel: z.string(), teams_channel: z.string(), email: z.email() })
  .partial()
  .strict()
  .refine((e) => Object.keys(e).length > 0, 'name a slack_channel, teams_channel or email');

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
  })
  .strict();

export const catalogSchema = z
  .object({
    calendars: z.record(z.string(), calendarSchema),
    queues: z.record(z.string().regex(/^[A-Z][A-Z0-9]{0,9}$/, 'queue keys are 1-10 capitals/digits, e.g. IT'), queueSchema),
    request_types: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'type keys are lower-kebab-case'), requestTypeSchema),
  })
  .strict()
  .superRefine((catalog, ctx) => {
    for (const [key, queue] of Object.entries(catalog.queues)) {
      if (!catalog.calendars[queue.calendar]) {
        ctx.addIssue({ code: 'custom', path: ['queues', key, 'calendar'], message: `unknown calendar '${queue.calendar}'` });
      }
      const fallback = queue.default_type ? catalog.request_types[queue.default_type] : undefined;
      if (queue.default_type && fallback?.queue !== key) {
        ctx.addIssue({ code: 'custom', path: ['queues', key, 'default_type'], message: `'${queue.default_type}' is not a request type of queue ${key}` });
      }
    }
    for (const [key, type] of Object.entries(catalog.request_types)) {
      if (!catalog.queues[type.queue]) {
        ctx.addIssue({ code: 'custom', path: ['request_types', key, 'queue'], message: `unknown queue '${type.queue}'` });
      }
      const ids = new Set<string>();
      type.fields.forEach((field, i) => {
        if (ids.has(field.id)) {
          ctx.addIssue({ code: 'custom', path: ['request_types', key, 'fields', i, 'id'], message: `duplicate field id '${field.id}'` });
        }
        ids.add(field.id);
      });
    }
  });

export type Catalog = z.infer<typeof catalogSchema>;
export type QueueDef = Catalog['queues'][string];
export type RequestTypeDef = Catalog['request_types'][string];

export const sampleCatalogFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'sample-catalog.yaml');

/** Parse and validate catalog YAML text. Errors name the file, the path in it and the problem. */
export function parseCatalog(text: string, file: string): Catalog {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Invalid(`catalog ${file}: not valid YAML: ${reason}`);
  }
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new Invalid(`catalog ${file}: ${where}: ${issue.message}`);
  }
  return parsed.data;
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
        position: position++,
        archivedAt: null,
        updatedAt: new Date(),
      };
      await tx.insert(requestTypes).values({ key, ...values }).onConflictDoUpdate({ target: requestTypes.key, set: values });
    }
    await retireRemoved(tx, Object.keys(catalog.request_types), Object.keys(catalog.queues));
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

/** The zod schema for a request type's form values; shared by the API and the web form. */
export function fieldValuesSchema(fields: FieldDef[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const field of fields) shape[field.id] = fieldValueSchema(field);
  return z.object(shape).strict();
}

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
