import type { Context } from 'hono';
import { cleanText } from '../../http/input.ts';
import { requestBaseRules } from '../../core/request-rules.ts';
import { fieldValuesSchema, type FieldDef } from '../../core/catalog.ts';
import { DESCRIPTION_INPUT, formErrors, TITLE_INPUT } from '../../present/forms.ts';

/** The request form's own inputs, with the API's rules for title, description and requester. */
const BaseSchema = requestBaseRules;

/** What the browser posted, as strings keyed by input name (kept to re-render the form). */
export type PostedValues = Record<string, string>;

/** Input name → message shown beside that input ("Model is required": present/forms.ts, the same words on every door). */
export type FieldErrors = Record<string, string>;

export interface ValidRequest {
  title: string;
  description?: string | undefined;
  requester: { email: string; name?: string | undefined };
  fields: Record<string, unknown>;
}

export const fieldInputName = (id: string) => `field.${id}`;

/**
 * Keep only string values of a parsed form body; browsers send textarea newlines as CRLF.
 * Text that cannot be stored (NUL, lone surrogates) is cleaned here, once for every form.
 */
export function postedValues(body: Record<string, unknown>): PostedValues {
  const out: PostedValues = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') out[cleanText(name)] = cleanText(value).replace(/\r\n?/g, '\n');
  return out;
}

/**
 * The posted form, or null when the body cannot be read as one (multipart without a
 * boundary, a content type that is not a form, a broken body): the caller answers 400.
 */
export async function readPostedForm(c: Context): Promise<PostedValues | null> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return null;
  try {
    return postedValues(await c.req.parseBody());
  } catch {
    return null;
  }
}

/** Validate a posted request form with the same zod schemas the API uses. */
export function validateRequestForm(fields: FieldDef[], posted: PostedValues): { ok: true; value: ValidRequest } | { ok: false; errors: FieldErrors } {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);
  const base = BaseSchema.safeParse({
    title: posted.title ?? '',
    description: blank(posted.description),
    requester: { email: (posted.requester_email ?? '').trim(), name: blank(posted.requester_name) },
  });
  const fieldInput = Object.fromEntries(fields.map((f) => [f.id, posted[fieldInputName(f.id)]]));
  const custom = fieldValuesSchema(fields).safeParse(fieldInput);

  const labels = new Map<string, string>([
    ['title', TITLE_INPUT.label],
    ['description', DESCRIPTION_INPUT.label],
    ...REQUESTER_LABELS,
    ...fields.map((f) => [fieldInputName(f.id), f.label] as [string, string]),
  ]);
  const errors: FieldErrors = {
    ...(base.success ? {} : formErrors(base.error.issues, labels, (issue) => issue.path.join('_'))),
    ...(custom.success ? {} : formErrors(custom.error.issues, labels, (issue) => fieldInputName(String(issue.path[0])))),
  };
  if (!base.success || !custom.success) return { ok: false, errors };
  const values = Object.fromEntries(Object.entries(custom.data).filter(([, v]) => v !== undefined));
  return { ok: true, value: { ...base.data, fields: values } };
}

/** The web form's own inputs about the requester (Slack and Teams know who is asking). */
export const REQUESTER_LABELS: Array<[string, string]> = [
  ['requester_email', 'Your work email'],
  ['requester_name', 'Your name'],
];
