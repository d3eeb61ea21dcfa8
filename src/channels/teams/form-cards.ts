import type { Catalog, FieldDef } from '../../core/catalog.ts';
import { FIELD_PREFIX, typeDef, type FormValues } from './forms.ts';

/** Adaptive Card JSON (schema 1.5, which Teams desktop and mobile render). */
export type AdaptiveCard = Record<string, unknown>;

export const CARD_VERSION = '1.5';

export function card(body: unknown[], actions: unknown[] = []): AdaptiveCard {
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: CARD_VERSION, body, ...(actions.length ? { actions } : {}) };
}

/** A plain-text run: Teams renders TextRun without Markdown, so user text stays inert. */
export function plain(text: string, options: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...options }] };
}

export interface OpenTicket {
  key: string;
  title: string;
}

/**
 * The answer to a message in the bot's chat: pick a request type (a ChoiceSet scales to
 * any catalog; Teams shows at most six buttons), or add the message to an open request.
 * `kb` is the turn whose suggested articles did not help (carried to the form, so filing records "filed anyway").
 */
export function typePickerCard(catalog: Catalog, text: string, openTickets: OpenTicket[], error?: string, kb?: string): AdaptiveCard {
  const choices = Object.entries(catalog.request_types).map(([key, def]) => ({ title: def.name, value: key }));
  const body: unknown[] = [
    { type: 'TextBlock', text: 'What do you need?', weight: 'Bolder', size: 'Medium' },
    ...(error ? [{ type: 'TextBlock', text: error, color: 'Attention', wrap: true }] : []),
    { type: 'Input.ChoiceSet', id: 'type', label: 'Request type', style: 'compact', choices },
    { type: 'ActionSet', actions: [{ type: 'Action.Submit', title: 'Next', data: { sb: 'pick', text, ...(kb ? { kb } : {}) } }] },
  ];
  if (openTickets.length) {
    body.push(
      { type: 'TextBlock', text: 'Or add this message to one of your open requests', wrap: true, separator: true },
      { type: 'Input.ChoiceSet', id: 'ticket', label: 'Open request', style: 'compact', choices: openTickets.map((t) => ({ title: `${t.key} · ${t.title}`, value: t.key })) },
      { type: 'ActionSet', actions: [{ type: 'Action.Submit', title: 'Add to request', data: { sb: 'attach', text } }] },
    );
  }
  return card(body);
}

/** The type's form: title, description and the catalog fields, with required marks and errors. */
export function requestFormCard(catalog: Catalog, type: string, values: FormValues, errors: Record<string, string> = {}, kb?: string): AdaptiveCard {
  const def = typeDef(catalog, type);
  if (!def) throw new Error(`unknown request type ${type}`);
  const errorList = Object.values(errors);
  const body: unknown[] = [
    { type: 'TextBlock', text: def.name, weight: 'Bolder', size: 'Medium', wrap: true },
    ...(def.description ? [{ type: 'TextBlock', text: def.description, isSubtle: true, wrap: true }] : []),
    ...(errorList.length ? [{ type: 'TextBlock', text: `Please fix: ${errorList.join(' ')}`, color: 'Attention', wrap: true }] : []),
    { type: 'Input.Text', id: 'title', label: 'Title', isRequired: true, errorMessage: errors.title ?? 'A short title is required', maxLength: 200, value: values.title },
    { type: 'Input.Text', id: 'description', label: 'Description', isMultiline: true, maxLength: 20_000, value: values.description },
    ...def.fields.map((field) => fieldInput(field, values.fields[field.id], errors[`${FIELD_PREFIX}${field.id}`])),
  ];
  return card(body, [{ type: 'Action.Submit', title: 'Submit request', data: { sb: 'file', type, ...(kb ? { kb } : {}) } }]);
}

function fieldInput(field: FieldDef, value: string | undefined, error: string | undefined): Record<string, unknown> {
  const common = {
    id: `${FIELD_PREFIX}${field.id}`,
    label: field.label,
    isRequired: field.required,
    errorMessage: error ?? `${field.label} is required`,
    ...(field.placeholder ? { placeholder: field.placeholder } : {}),
  };
  switch (field.type) {
    case 'textarea':
      return { type: 'Input.Text', ...common, isMultiline: true, value };
    case 'email':
      return { type: 'Input.Text', ...common, style: 'Email', value };
    case 'number':
      return { type: 'Input.Number', ...common, ...(value ? { value: Number(value) } : {}) };
    case 'date':
      return { type: 'Input.Date', ...common, value };
    case 'checkbox':
      return { type: 'Input.Toggle', ...common, title: field.label, valueOn: 'true', valueOff: 'false', value: value === 'true' ? 'true' : 'false' };
    case 'select':
      return { type: 'Input.ChoiceSet', ...common, style: 'compact', choices: (field.options ?? []).map((o) => ({ title: o, value: o })), value };
    default:
      return { type: 'Input.Text', ...common, value };
  }
}

/** What the form turns into once filed. */
export function filedCard(key: string, title: string): AdaptiveCard {
  return card([{ type: 'TextBlock', text: `Filed ${key}`, weight: 'Bolder' }, plain(title, { italic: true }), { type: 'TextBlock', text: 'Updates will appear here.', isSubtle: true, wrap: true }]);
}
