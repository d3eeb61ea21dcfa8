import type { z } from 'zod';
import type { Catalog, FieldDef } from '../core/catalog.ts';

/**
 * The type picker and the request form, built from the catalog once for every door (web
 * page, Slack modal, Teams card), with one wording for every problem a form can have.
 */
export interface PickerGroup {
  queue: string;
  label: string;
  types: Array<{ key: string; name: string; description: string | undefined }>;
}

/** Request types grouped by queue, in catalog order; queues without types are left out. */
export function typePicker(catalog: Catalog): PickerGroup[] {
  return Object.entries(catalog.queues)
    .map(([queue, def]) => ({
      queue,
      label: def.name,
      types: Object.entries(catalog.request_types)
        .filter(([, type]) => type.queue === queue)
        .map(([key, type]) => ({ key, name: type.name, description: type.description })),
    }))
    .filter((group) => group.types.length);
}

export const PICKER_PROMPT = 'What do you need?';
export const PICK_A_TYPE = 'Pick a request type first.';

export interface FormInput {
  /** 'title', 'description', or the catalog field's id. */
  id: string;
  custom: boolean;
  label: string;
  type: FieldDef['type'];
  required: boolean;
  help?: string | undefined;
  placeholder?: string | undefined;
  options?: string[] | undefined;
  maxLength?: number | undefined;
}

export interface RequestForm {
  typeKey: string;
  name: string;
  description: string | undefined;
  queueName: string;
  inputs: FormInput[];
  submitLabel: string;
}

export const TITLE_INPUT: FormInput = { id: 'title', custom: false, label: 'Summary', type: 'text', required: true, help: 'One line the team will see first.', maxLength: 200 };
export const DESCRIPTION_INPUT: FormInput = { id: 'description', custom: false, label: 'Details', type: 'textarea', required: false, help: 'Anything else that helps.', maxLength: 20_000 };

/** The type's form: summary, the catalog's fields in catalog order, then details. */
export function requestForm(catalog: Catalog, typeKey: string): RequestForm | null {
  const def = Object.hasOwn(catalog.request_types, typeKey) ? catalog.request_types[typeKey] : undefined;
  if (!def) return null;
  const fields: FormInput[] = def.fields.map((f) => ({ id: f.id, custom: true, label: f.label, type: f.type, required: f.required, help: f.help, placeholder: f.placeholder, options: f.options }));
  return {
    typeKey,
    name: def.name,
    description: def.description,
    queueName: catalog.queues[def.queue]?.name ?? def.queue,
    inputs: [{ ...TITLE_INPUT, placeholder: `e.g. ${def.name} for …` }, ...fields, DESCRIPTION_INPUT],
    submitLabel: 'Send request',
  };
}

/** zod's wording is for developers; a person filling a form gets plain words. */
function problem(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small') return 'is required';
  // zod's own "Invalid input: expected string, received undefined" means nothing was given; our rules' messages say more.
  if (issue.code === 'invalid_type') return issue.message.startsWith('Invalid input') ? 'is required' : issue.message;
  if (issue.code === 'too_big') return `is too long (at most ${String(issue.maximum)} characters)`;
  if (issue.code === 'invalid_format' && issue.format === 'email') return 'must be an email address, like ana@example.com';
  return issue.message;
}

/**
 * The one wording of a form problem, on every door: the input's label and what is wrong,
 * "Model is required", "Summary is too long (at most 200 characters)".
 */
export function formMessage(label: string, what: string): string {
  return `${label} ${what}`;
}

/** zod issues (keyed by input id through `idOf`) as messages, first problem per input. */
export function formErrors(issues: readonly z.core.$ZodIssue[], labels: ReadonlyMap<string, string>, idOf: (issue: z.core.$ZodIssue) => string = (i) => String(i.path[0] ?? '')): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const id = idOf(issue);
    errors[id] ??= formMessage(labels.get(id) ?? id, problem(issue));
  }
  return errors;
}

/** Label by input id for a form (for formErrors). */
export function labelsOf(form: RequestForm, extra: Record<string, string> = {}): Map<string, string> {
  return new Map([...form.inputs.map((i) => [i.id, i.label] as const), ...Object.entries(extra)]);
}

/** An empty reply, on the Slack modal, the Teams card and the web page alike. */
export const REPLY_REQUIRED = 'Write a reply first.';
