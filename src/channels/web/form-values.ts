import type { Context } from 'hono';
import type { z } from 'zod';
import { cleanText } from '../../http/input.ts';
import { requestBaseRules } from '../../core/request-rules.ts';
import { fieldValuesSchema, type FieldDef } from '../../core/catalog.ts';

/** The request form's own inputs, with the API's rules for title, description and requester. */
const BaseSchema = requestBaseRules;

/** What the browser posted, as strings keyed by input name (kept to re-render the form). */
export type PostedValues = Record<string, string>;

/** Input name → message shown beside that input. */
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

  const errors: FieldErrors = {};
  if (!base.success) {
    for (const issue of base.error.issues) {
      const name = issue.path.join('_');
      errors[name] ??= friendly(issue);
    }
  }
  if (!custom.success) {
    for (const issue of custom.error.issues) {
      const name = fieldInputName(String(issue.path[0]));
      errors[name] ??= issue.message;
    }
  }
  if (!base.success || !custom.success) return { ok: false, errors };
  const values = Object.fromEntries(Object.entries(custom.data).filter(([, v]) => v !== undefined));
  return { ok: true, value: { ...base.data, fields: values } };
}

/** zod's default wording is for developers; a person filling a form gets plain words. */
function friendly(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small') return 'is required';
  if (issue.code === 'too_big') return `is too long (at most ${String(issue.maximum)} characters)`;
  if (issue.code === 'invalid_format' && issue.format === 'email') return 'must be an email address, like ana@example.com';
  if (issue.code === 'invalid_type') return 'is required';
  return issue.message;
}
