import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { PersonInput } from '../../core/people.ts';

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;

const usersInfo = z.object({
  user: z.object({
    id: z.string(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    tz: z.string().optional(),
    is_bot: z.boolean().optional(),
    deleted: z.boolean().optional(),
    profile: z.object({ email: z.string().optional(), real_name: z.string().optional(), display_name: z.string().optional() }).optional(),
  }),
});

export interface SlackPerson extends PersonInput {
  slackUserId: string;
  isBot: boolean;
}

interface Entry {
  value: Promise<SlackPerson | null>;
  expiresAt: number;
}

/**
 * Who a Slack user is: users.info → profile.email (needs users:read.email), cached in
 * memory with a TTL so a busy thread costs one lookup per person, not one per message.
 * Concurrent lookups of one user share one call. Core's resolvePerson then attaches the
 * Slack user id to the people row keyed by that email.
 */
export class SlackIdentity {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly client: WebClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The person behind a user id, or null when Slack shows no email (guests, bots, missing scope). */
  lookup(userId: string): Promise<SlackPerson | null> {
    const now = this.now();
    const cached = this.cache.get(userId);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = this.fetch(userId);
    this.cache.set(userId, { value, expiresAt: now + TTL_MS });
    // A failed lookup is not cached: the next message tries again.
    value.catch(() => this.cache.delete(userId));
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return value;
  }

  private async fetch(userId: string): Promise<SlackPerson | null> {
    const parsed = usersInfo.safeParse(await this.client.users.info({ user: userId }));
    if (!parsed.success) return null;
    const { user } = parsed.data;
    const email = user.profile?.email;
    if (!email || user.deleted) return null;
    const name = user.profile?.real_name || user.real_name || user.profile?.display_name || user.name;
    return {
      email,
      ...(name ? { name } : {}),
      slackUserId: user.id,
      ...(user.tz ? { timeZone: user.tz } : {}),
      isBot: user.is_bot ?? false,
    };
  }
}

/** A SlackPerson as core wants it (without our bookkeeping flag). */
export function personInput(person: SlackPerson, extra: Partial<PersonInput> = {}): PersonInput {
  const { isBot: _isBot, ...input } = person;
  return { ...input, ...extra };
}
