import { z } from 'zod';
import { fieldValuesSchema, type Catalog } from '../../core/catalog.ts';
import { formErrors, formMessage, labelsOf, requestForm, TITLE_INPUT } from '../../present/forms.ts';
import { createTicket, type CoreContext } from '../../core/tickets.ts';
import type { StoredReference } from './reference.ts';

/**
 * The request form as Teams submits it. Adaptive Card inputs come back merged into the
 * Action.Submit data: our own keys (`sb`, `type`) plus `title`, `description` and one
 * `f_<field id>` per catalog field (prefixed so a field id never collides with ours).
 */
export const FIELD_PREFIX = 'f_';

export const formSubmissionSchema = z.looseObject({
  type: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
});

export interface FormValues {
  title: string;
  description: string;
  fields: Record<string, string>;
}

export type FormResult =
  | { ok: true; type: string; title: string; description: string; fields: Record<string, unknown> }
  | { ok: false; values: FormValues; errors: Record<string, string> };

export function typeDef(catalog: Catalog, type: string): Catalog['request_types'][string] | undefined {
  return Object.hasOwn(catalog.request_types, type) ? catalog.request_types[type] : undefined;
}

/** Validate a submitted form against the catalog: the same rules as the API and the web form. */
export function readForm(catalog: Catalog, submitted: Record<string, unknown>): FormResult | null {
  const parsed = formSubmissionSchema.safeParse(submitted);
  if (!parsed.success) return null;
  const def = typeDef(catalog, parsed.data.type);
  if (!def) return null;
  const fieldStrings: Record<string, string> = {};
  for (const field of def.fields) {
    const raw = submitted[`${FIELD_PREFIX}${field.id}`];
    if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') fieldStrings[field.id] = String(raw);
  }
  const values: FormValues = { title: (parsed.data.title ?? '').trim(), description: (parsed.data.description ?? '').trim(), fields: fieldStrings };
  const errors: Record<string, string> = {};
  if (!values.title) errors.title = formMessage(TITLE_INPUT.label, 'is required');
  const result = fieldValuesSchema(def.fields).safeParse(fieldStrings);
  if (!result.success) {
    // One wording on every door (present/forms.ts): "Model is required".
    const labels = labelsOf(requestForm(catalog, parsed.data.type)!);
    for (const [id, message] of Object.entries(formErrors(result.error.issues, labels))) errors[`${FIELD_PREFIX}${id}`] = message;
  }
  if (Object.keys(errors).length || !result.success) return { ok: false, values, errors };
  const fields = Object.fromEntries(Object.entries(result.data as Record<string, unknown>).filter(([, v]) => v !== undefined));
  return { ok: true, type: parsed.data.type, title: values.title, description: values.description, fields };
}

/** A title and description prefilled from a message someone wants to turn into a request. */
export function prefillFrom(text: string): FormValues {
  const firstLine = text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
  return { title: firstLine.slice(0, 120), description: text, fields: {} };
}

/**
 * File a valid form as a ticket for `requesterEmail`. `chat` is the requester's personal
 * chat with the bot, when known: it holds all their tickets, so each filing gets its own anchor.
 */
export function fileForm(
  core: CoreContext,
  form: Extract<FormResult, { ok: true }>,
  requesterEmail: string,
  activityId: string | undefined,
  chat?: { conversationId: string; reference: StoredReference | null },
) {
  return createTicket(core, {
    type: form.type,
    title: form.title,
    description: form.description,
    fields: form.fields,
    requester: { email: requesterEmail },
    channel: 'teams',
    idempotencyKey: `teams:activity:${activityId}`,
    originAnchor: chat
      ? { channel: 'teams', side: 'requester', externalRef: `${chat.conversationId};messageid=${activityId}`, data: { reference: chat.reference } }
      : undefined,
  });
}
