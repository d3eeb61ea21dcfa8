import type { Db } from '../../db/client.ts';
import type { Person } from '../../db/schema.ts';
import { resolvePerson, type PersonInput } from '../../core/people.ts';
import type { TeamsTurn } from './platform.ts';
import { referenceOf, type StoredReference } from './reference.ts';

interface Member {
  email: string;
  name: string | undefined;
  aadObjectId: string | undefined;
  userId: string;
}

const CACHE_TTL_MS = 60 * 60_000;
const CACHE_MAX = 5_000;

/**
 * Who sent an activity: Teams gives a 29: user id and the AAD object id, not an email,
 * so the member is looked up (the conversation's member → email or UPN) and cached for an hour.
 */
export class TeamsIdentity {
  private readonly cache = new Map<string, { member: Member; at: number }>();

  constructor(private readonly db: Db) {}

  /** The sender as a PersonInput for core commands, or null when Teams does not know them. */
  async sender(ctx: TeamsTurn): Promise<PersonInput | null> {
    const member = await this.member(ctx);
    if (!member) return null;
    return { email: member.email, name: member.name, teamsAadId: member.aadObjectId, teamsUserId: member.userId };
  }

  /** Resolve the sender's people row; in a personal chat, also remember how to reach them. */
  async resolveSender(ctx: TeamsTurn): Promise<Person | null> {
    const input = await this.sender(ctx);
    if (!input) return null;
    const reference = personalReference(ctx);
    return resolvePerson(this.db, reference ? { ...input, teamsConversation: reference } : input);
  }

  private async member(ctx: TeamsTurn): Promise<Member | null> {
    const from = ctx.activity.from;
    const key = from.aadObjectId ?? from.id;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.member;
    let account;
    try {
      account = await ctx.member(from.id);
    } catch {
      return null;
    }
    const email = account.email ?? account.userPrincipalName;
    if (!email?.includes('@')) return null;
    const member: Member = { email, name: account.name ?? from.name ?? undefined, aadObjectId: account.aadObjectId ?? from.aadObjectId ?? undefined, userId: account.id ?? from.id };
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { member, at: Date.now() });
    return member;
  }
}

/** The conversation reference of a personal chat (how Switchboard reaches the person later). */
export function personalReference(ctx: TeamsTurn): StoredReference | null {
  if (ctx.activity.conversation.conversationType !== 'personal') return null;
  return referenceOf(ctx.activity);
}
