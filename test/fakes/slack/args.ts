import { z } from 'zod';

/** A Web API method's `{ ok: false, error }` answer, thrown by a handler and caught by the server. */
export class SlackMethodError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

export type MethodArgs = Record<string, unknown>;
export type MethodResult = Record<string, unknown>;

/**
 * Parses a method's arguments. Slack names the error after the bad argument (a missing
 * `channel` is `channel_not_found`, not a generic complaint), so callers map fields to codes.
 */
export function parseArgs<T extends z.ZodType>(schema: T, args: MethodArgs, errorByField: Record<string, string> = {}): z.output<T> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const field = String(result.error.issues[0]?.path[0] ?? '');
  throw new SlackMethodError(errorByField[field] ?? 'invalid_arguments');
}

export const slackId = z.string().min(1);

/** Form posts carry booleans as "true"/"false" (WebClient) or "1"/"0"; JSON posts as booleans. */
export const formBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((value) => value === true || value === 'true' || value === '1');

/** Form posts carry numbers as strings. */
export const formInteger = z.coerce.number().int().positive();

export const block = z.looseObject({ type: z.string().min(1), block_id: z.string().max(255).optional() });

/** Slack's documented caps: 50 blocks in a message, 100 in a view; 40 000 characters of text. */
export const messageBlocks = z.array(block).max(50);
export const viewBlocks = z.array(block).max(100);
export const messageText = z.string().max(40_000);
export const attachments = z.array(z.record(z.string(), z.unknown())).max(100);
