import { z } from 'zod';

/**
 * What our Adaptive Card buttons submit (Action.Submit → a message activity whose
 * `value` is the button's data merged with the card's inputs).
 */
export const cardSubmitSchema = z.discriminatedUnion('sb', [
  z.looseObject({ sb: z.literal('pick'), type: z.string().optional(), text: z.string().default(''), kb: z.string().optional() }),
  z.looseObject({ sb: z.literal('file'), type: z.string(), kb: z.string().optional() }),
  /** The answers to suggested help articles (suggestion-card.ts); `ref` is the id of the message they answered. */
  z.looseObject({ sb: z.literal('kb_solved'), ref: z.string(), slug: z.string() }),
  z.looseObject({ sb: z.literal('kb_help'), ref: z.string(), text: z.string().default('') }),
  z.looseObject({ sb: z.literal('attach'), ticket: z.string().optional(), text: z.string().default('') }),
  z.looseObject({ sb: z.literal('comment'), ticket: z.string(), comment: z.string().default('') }),
  z.looseObject({ sb: z.literal('claim'), ticket: z.string() }),
  z.looseObject({ sb: z.literal('assign'), ticket: z.string(), assignee: z.string().default(''), assigneeEmail: z.string().default('') }),
  z.looseObject({ sb: z.literal('status'), ticket: z.string(), status: z.string().default('') }),
  z.looseObject({ sb: z.literal('priority'), ticket: z.string(), priority: z.string().default('') }),
  z.looseObject({ sb: z.literal('reply'), ticket: z.string(), reply: z.string().default(''), article: z.string().default(''), macro: z.string().default('') }),
  z.looseObject({ sb: z.literal('reply_insert'), ticket: z.string(), reply: z.string().default(''), article: z.string().default(''), macro: z.string().default('') }),
]);

export type CardSubmit = z.infer<typeof cardSubmitSchema>;

export function readSubmit(value: unknown): CardSubmit | null {
  const parsed = cardSubmitSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
