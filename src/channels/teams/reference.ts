import { z } from 'zod';
import type { TeamsActivity } from './platform.ts';

/**
 * The part of a Bot Framework ConversationReference we store (anchors.data.reference,
 * people.teams_conversation) and send proactively through later.
 */
export const referenceSchema = z.looseObject({
  channelId: z.string(),
  serviceUrl: z.string(),
  conversation: z.looseObject({ id: z.string() }),
  bot: z.looseObject({ id: z.string() }).optional(),
  user: z.looseObject({ id: z.string() }).optional(),
});

export type StoredReference = z.infer<typeof referenceSchema>;

/** The conversation reference of an inbound activity (the fields botbuilder's getConversationReference kept). */
export function referenceOf(activity: Pick<TeamsActivity, 'id' | 'from' | 'recipient' | 'conversation' | 'channelId' | 'locale' | 'serviceUrl'>): StoredReference | null {
  const parsed = referenceSchema.safeParse({
    activityId: activity.id,
    user: activity.from ? { ...activity.from } : undefined,
    bot: activity.recipient ? { ...activity.recipient } : undefined,
    conversation: { ...activity.conversation },
    channelId: activity.channelId,
    locale: activity.locale ?? undefined,
    serviceUrl: activity.serviceUrl,
  });
  return parsed.success ? parsed.data : null;
}
