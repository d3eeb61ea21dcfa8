import type { ConversationReference } from 'botbuilder';
import { z } from 'zod';

/**
 * The part of a Bot Framework ConversationReference we store (anchors.data.reference,
 * people.teams_conversation) and hand back to continueConversationAsync.
 */
export const referenceSchema = z.looseObject({
  channelId: z.string(),
  serviceUrl: z.string(),
  conversation: z.looseObject({ id: z.string() }),
  bot: z.looseObject({ id: z.string() }).optional(),
  user: z.looseObject({ id: z.string() }).optional(),
});

export type StoredReference = z.infer<typeof referenceSchema>;

/**
 * botbuilder types a reference with every ConversationAccount field required, though it
 * only reads the ones we store (and continueConversationAsync takes a Partial anyway).
 */
export function asConversationReference(reference: StoredReference): Partial<ConversationReference> {
  return reference as unknown as Partial<ConversationReference>;
}
