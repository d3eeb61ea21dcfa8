import type { InputBlockElement, ModalView } from '@slack/types';
import { z } from 'zod';
import { fieldValuesSchema, type Catalog } from '../../core/catalog.ts';
import { DESCRIPTION_INPUT, formErrors, formMessage, labelsOf, PICK_A_TYPE, requestForm, TITLE_INPUT, typePicker, type FormInput } from '../../present/forms.ts';
import type { Block } from './blocks.ts';

// The request modal (type → that type's fields, views.update on pick) and the reply modal.

export const REQUEST_MODAL = 'request_modal';
export const REPLY_MODAL = 'reply_modal';

/** What the modal remembers between opening and submission (private_metadata, ≤ 3000 chars). */
export const requestMetaSchema = z.object({
  type: z.string().optional(),
  /** Filed from a DM: the DM thread becomes the requester's anchor; the picker message becomes their card. */
  dm: z.object({ channel: z.string(), threadTs: z.string(), pickerTs: z.string().optional() }).optional(),
  /** Filed from someone's message (shortcut or reaction). */
  source: z.object({ channel: z.string(), ts: z.string(), author: z.string(), via: z.enum(['shortcut', 'react']) }).optional(),
});
export type RequestMeta = z.infer<typeof requestMetaSchema>;

export function readMeta(raw: string): RequestMeta {
  try {
    const parsed = requestMetaSchema.safeParse(JSON.parse(raw || '{}'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

function fieldElement(field: FormInput): InputBlockElement {
  const placeholder = field.placeholder ? { placeholder: plain(field.placeholder.slice(0, 150)) } : {};
  switch (field.type) {
    case 'textarea':
      return { type: 'plain_text_input', action_id: 'value', multiline: true, ...placeholder };
    case 'select':
      return { type: 'static_select', action_id: 'value', options: (field.options ?? []).map((o) => ({ text: plain(o.slice(0, 75)), value: o })), ...placeholder };
    case 'date':
      return { type: 'datepicker', action_id: 'value' };
    case 'email':
      return { type: 'email_text_input', action_id: 'value', ...placeholder };
    case 'number':
      return { type: 'number_input', action_id: 'value', is_decimal_allowed: true };
    case 'checkbox':
      return { type: 'checkboxes', action_id: 'value', options: [{ text: plain(field.label.slice(0, 75)), value: 'true' }] };
    default:
      return { type: 'plain_text_input', action_id: 'value', ...placeholder };
  }
}

export interface Prefill {
  title?: string;
  description?: string;
}

export function requestModal(catalog: Catalog, meta: RequestMeta, prefill: Prefill = {}): ModalView {
  // The picker of every door (present/forms.ts): the catalog's types, queue by queue.
  const typeOptions = typePicker(catalog)
    .flatMap((group) => group.types)
    .slice(0, 100)
    .map((type) => ({ text: plain(type.name.slice(0, 75)), value: type.key }));
  const chosen = meta.type ? catalog.request_types[meta.type] : undefined;
  const blocks: Block[] = [];
  if (meta.source?.via === 'shortcut') {
    const author = { text: plain("The message's author"), value: 'author' };
    blocks.push({
      type: 'input',
      block_id: 'on_behalf',
      label: plain('File it on behalf of'),
      element: { type: 'radio_buttons', action_id: 'value', initial_option: author, options: [author, { text: plain('Me'), value: 'me' }] },
    });
  }
  blocks.push({
    type: 'input',
    block_id: 'type',
    dispatch_action: true,
    label: plain('Request type'),
    element: {
      type: 'static_select',
      action_id: 'request_type',
      options: typeOptions,
      ...(chosen ? { initial_option: typeOptions.find((o) => o.value === meta.type) } : {}),
    },
  });
  if (chosen?.description) blocks.push({ type: 'context', elements: [plain(chosen.description.slice(0, 2_000))] });
  // The form from the catalog (present/forms.ts): summary, the type's fields in catalog order, details.
  const inputs = (meta.type ? requestForm(catalog, meta.type)?.inputs : undefined) ?? [TITLE_INPUT, DESCRIPTION_INPUT];
  for (const input of inputs) {
    if (input.id === 'title') {
      blocks.push({ type: 'input', block_id: 'title', label: plain(input.label), element: { type: 'plain_text_input', action_id: 'value', max_length: 200, ...initial(prefill.title) } });
    } else if (input.id === 'description') {
      blocks.push({ type: 'input', block_id: 'description', optional: true, label: plain(input.label), element: { type: 'plain_text_input', action_id: 'value', multiline: true, ...initial(prefill.description) } });
    } else {
      blocks.push({
        type: 'input',
        block_id: `field:${input.id}`,
        optional: !input.required,
        label: plain(input.label.slice(0, 2_000)),
        element: fieldElement(input),
        ...(input.help ? { hint: plain(input.help.slice(0, 2_000)) } : {}),
      });
    }
  }
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    title: plain('New request'),
    submit: plain('File request'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(meta),
    blocks,
  };
}

function initial(value: string | undefined) {
  return value ? { initial_value: value.slice(0, 3_000) } : {};
}

type StateValue = {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }>;
  selected_date?: string | null;
};
export type StateValues = Record<string, Record<string, StateValue>>;

function readValue(state: StateValues, blockId: string, actionId = 'value'): string | undefined {
  const v = state[blockId]?.[actionId];
  if (!v) return undefined;
  if (v.selected_option !== undefined) return v.selected_option?.value ?? undefined;
  if (v.selected_options !== undefined) return v.selected_options.length ? 'true' : 'false';
  if (v.selected_date !== undefined) return v.selected_date ?? undefined;
  return v.value ?? undefined;
}

export interface RequestSubmission {
  type: string;
  title: string;
  description: string;
  fields: Record<string, unknown>;
  onBehalf: 'author' | 'me';
}

/** The submitted modal as a request, or the `errors` map Slack shows next to each block. */
export function readRequestModal(catalog: Catalog, meta: RequestMeta, state: StateValues): { ok: RequestSubmission } | { errors: Record<string, string> } {
  const type = readValue(state, 'type', 'request_type') ?? meta.type;
  const def = type ? catalog.request_types[type] : undefined;
  if (!type || !def) return { errors: { type: PICK_A_TYPE } };
  if (type !== meta.type) return { errors: { type: 'Pick the type again so its fields show.' } };
  const title = (readValue(state, 'title') ?? '').trim();
  const errors: Record<string, string> = {};
  if (!title) errors.title = formMessage(TITLE_INPUT.label, 'is required');
  const raw = Object.fromEntries(def.fields.map((f) => [f.id, readValue(state, `field:${f.id}`)]));
  const parsed = fieldValuesSchema(def.fields).safeParse(raw);
  if (!parsed.success) {
    // One wording on every door (present/forms.ts): "Model is required".
    const form = requestForm(catalog, type)!;
    for (const [id, message] of Object.entries(formErrors(parsed.error.issues, labelsOf(form)))) errors[`field:${id}`] = message;
  }
  if (Object.keys(errors).length || !parsed.success) return { errors };
  const fields = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  return { ok: { type, title, description: readValue(state, 'description') ?? '', fields, onBehalf: readValue(state, 'on_behalf') === 'me' ? 'me' : 'author' } };
}

/** The Reply modal's tools: action ids of the article search (external_select) and the macro picker. */
export const REPLY_ARTICLE = 'reply_article';
export const REPLY_MACRO = 'reply_macro';

export const replyMetaSchema = z.object({ key: z.string(), rev: z.number().int().min(0).default(0) });
export type ReplyMeta = z.infer<typeof replyMetaSchema>;

/**
 * The reply input's block id. Slack keeps what a person typed in an input across views.update
 * unless its block id changes, so every insertion (article, macro) gets a new revision.
 */
export const replyBlockId = (rev: number): string => (rev ? `reply~${rev}` : 'reply');

export interface ReplyModalOptions {
  macros?: Array<{ key: string; title: string }>;
  /** The reply so far (after an insertion). */
  draft?: string;
  rev?: number;
}

export function replyModal(ticketKey: string, options: ReplyModalOptions = {}): ModalView {
  const rev = options.rev ?? 0;
  const tools: Block = {
    type: 'actions',
    block_id: 'reply_tools',
    elements: [
      { type: 'external_select', action_id: REPLY_ARTICLE, placeholder: plain('Insert a help article'), min_query_length: 2 },
      ...(options.macros?.length
        ? [{ type: 'static_select' as const, action_id: REPLY_MACRO, placeholder: plain('Insert a macro'), options: options.macros.slice(0, 100).map((m) => ({ text: plain(m.title.slice(0, 75)), value: m.key })) }]
        : []),
    ],
  };
  return {
    type: 'modal',
    callback_id: REPLY_MODAL,
    title: plain(`Reply on ${ticketKey}`.slice(0, 24)),
    submit: plain('Send'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ key: ticketKey, rev } satisfies ReplyMeta),
    blocks: [
      { type: 'context', elements: [plain('The requester sees this reply on the channel they use for this ticket.')] },
      { type: 'input', block_id: replyBlockId(rev), label: plain('Reply to the requester'), element: { type: 'plain_text_input', action_id: 'value', multiline: true, ...initial(options.draft) } },
      tools,
    ],
  };
}

/** The reply typed so far, whatever revision its input block is at. */
export function readReply(state: StateValues): string {
  const blockId = Object.keys(state).find((id) => id === 'reply' || id.startsWith('reply~'));
  return blockId ? (readValue(state, blockId) ?? '').trim() : '';
}
