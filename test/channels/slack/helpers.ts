import type { SlackCall } from '../../fakes/slack/index.ts';

interface Option {
  text: { text: string };
  value: string;
}

/** The value of the option labelled `label` in any select of the blocks (as a person would pick it). */
export function optionValue(blocks: unknown, label: string): string {
  const found: Option[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.value === 'string' && (record.text as { text?: string } | undefined)?.text === label) found.push(record as unknown as Option);
      Object.values(record).forEach(walk);
    }
  };
  walk(blocks);
  if (!found[0]) throw new Error(`no option labelled ${label}`);
  return found[0].value;
}

export function blockIds(view: unknown): string[] {
  const blocks = (view as { blocks?: Array<{ block_id?: string }> }).blocks ?? [];
  return blocks.map((b) => b.block_id ?? '');
}

export function viewOf(call: SlackCall): { id?: string; callback_id?: string; private_metadata?: string; blocks?: unknown[] } {
  return call.body.view as never;
}

/** state.values for a plain text input. */
export const text = (value: string) => ({ value: { type: 'plain_text_input', value } });
export const select = (value: string, actionId = 'value') => ({ [actionId]: { type: 'static_select', selected_option: { text: { type: 'plain_text' as const, text: value }, value } } });
export const date = (value: string) => ({ value: { type: 'datepicker', selected_date: value } });
