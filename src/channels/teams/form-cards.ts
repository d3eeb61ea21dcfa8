import type { Catalog } from '../../core/catalog.ts';
import { formMessage, PICKER_PROMPT, requestForm, typePicker, type FormInput } from '../../present/forms.ts';
import { FIELD_PREFIX, type FormValues } from './forms.ts';

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
  // Teams has no option groups: the queue goes in each title, in the picker's order.
  const choices = typePicker(catalog).flatMap((group) => group.types.map((t) => ({ title: t.name, value: t.key })));
  const body: unknown[] = [
    { type: 'TextBlock', text: PICKER_PROMPT, weight: 'Bolder', size: 'Medium' },
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
  const form = requestForm(catalog, type);
  if (!form) throw new Error(`unknown request type ${type}`);
  const errorList = Object.values(errors);
  const body: unknown[] = [
    { type: 'TextBlock', text: form.name, weight: 'Bolder', size: 'Medium', wrap: true },
    ...(form.description ? [{ type: 'TextBlock', text: form.description, isSubtle: true, wrap: true }] : []),
    ...(errorList.length ? [{ type: 'TextBlock', text: `Please fix: ${errorList.join('; ')}`, color: 'Attention', wrap: true }] : []),
    // The form from the catalog (present/forms.ts): summary, the type's fields in catalog order, details.
    ...form.inputs.map((input) => {
      if (input.id === 'title') return { type: 'Input.Text', id: 'title', label: input.label, isRequired: true, errorMessage: errors.title ?? formMessage(input.label, 'is required'), maxLength: input.maxLength, value: values.title };
      if (input.id === 'description') return { type: 'Input.Text', id: 'description', label: input.label, isMultiline: true, maxLength: input.maxLength, value: values.description };
      return fieldInput(input, values.fields[input.id], errors[`${FIELD_PREFIX}${input.id}`]);
    }),
  ];
  return card(body, [{ type: 'Action.Submit', title: 'Submit request', data: { sb: 'file', type, ...(kb ? { kb } : {}) } }]);
}

function fieldInput(field: FormInput, value: string | undefined, error: string | undefined): Record<string, unknown> {
  const common = {
    id: `${FIELD_PREFIX}${field.id}`,
    label: field.label,
    isRequired: field.required,
    errorMessage: error ?? formMessage(field.label, 'is required'),
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
