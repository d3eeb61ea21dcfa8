import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { anchors, ticketEvents, type Person } from '../db/schema.ts';

export type PersonalChannel = 'slack' | 'teams' | 'email';

/**
 * The channel that can reach this person on their own: Slack (a DM, given their Slack
 * user), Teams (their personal chat with the bot, given its conversation reference) or
 * email. Among those, the one they last used (their latest action on any ticket, else their
 * latest conversation with us), else their stated preference, else email, Slack, Teams —
 * the order the mirror uses. Null when nothing can reach them.
 */
export async function channelFor(conn: Conn, person: Person, enabled: ReadonlySet<string>): Promise<PersonalChannel | null> {
  const reachable: PersonalChannel[] = [];
  if (enabled.has('email')) reachable.push('email');
  if (enabled.has('slack') && person.slackUserId) reachable.push('slack');
  if (enabled.has('teams') && person.teamsConversation) reachable.push('teams');
  if (!reachable.length) return null;

  const [acted] = await conn
    .select({ channel: ticketEvents.channel })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.actorId, person.id), inArray(ticketEvents.channel, reachable)))
    .orderBy(desc(ticketEvents.id))
    .limit(1);
  if (acted) return acted.channel as PersonalChannel;
  const [talked] = await conn
    .select({ channel: anchors.channel })
    .from(anchors)
    // Email anchors we only sent to are dated 1970 (see the email adapter): they do not count as use.
    .where(and(eq(anchors.personId, person.id), inArray(anchors.channel, reachable), sql`${anchors.lastUsedAt} > 'epoch'::timestamptz`))
    .orderBy(desc(anchors.lastUsedAt), desc(anchors.id))
    .limit(1);
  if (talked) return talked.channel as PersonalChannel;
  const preferred = reachable.find((c) => c === person.preferredChannel);
  return preferred ?? reachable[0]!;
}
