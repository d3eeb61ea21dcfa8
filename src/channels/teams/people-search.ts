import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { agentsOf } from '../../core/roles.ts';
import type { Db } from '../../db/client.ts';
import { anchors, tickets } from '../../db/schema.ts';
import type { InvokeAnswer, TeamsTurn } from './platform.ts';

/** The dataset the triage card's Assign picker queries: `agents:<QUEUE>` (`choices.data: Data.Query`). */
export const AGENTS_DATASET = 'agents';
/** What cards posted before the roster asked for; answered with the agents of the chain's queue. */
const LEGACY_DATASET = 'people';

/** Teams shows at most 15 typeahead choices. */
const LIMIT = 15;

const searchValueSchema = z.looseObject({ queryText: z.string().default(''), dataset: z.string().default('') });

export type SearchResult = { title: string; value: string };

/**
 * Answers the `application/search` invoke of the Assign typeahead (Input.ChoiceSet with
 * Data.Query): the agents and leads of the ticket's queue whose name or email matches,
 * each as { title: "Name (email)", value: email }, away agents marked. Nobody else is
 * offered: only the queue's agents can be assigned.
 */
export class PeopleSearch {
  constructor(private readonly db: Db) {}

  async answer(ctx: TeamsTurn): Promise<InvokeAnswer> {
    const value = searchValueSchema.safeParse(ctx.activity.value);
    if (!value.success) return { status: 200, body: searchResponse([]) };
    const queue = await this.queueOf(ctx, value.data.dataset);
    return { status: 200, body: searchResponse(queue ? await this.search(queue, value.data.queryText.trim()) : []) };
  }

  async search(queueKey: string, queryText: string): Promise<SearchResult[]> {
    const query = queryText.toLowerCase();
    return (await agentsOf(this.db, queueKey))
      .filter((a) => a.email.includes(query) || (a.name ?? '').toLowerCase().includes(query))
      .slice(0, LIMIT)
      .map((a) => ({ title: `${label(a.name, a.email)}${a.away ? ' · away' : ''}`, value: a.email }));
  }

  private async queueOf(ctx: TeamsTurn, dataset: string): Promise<string | null> {
    const named = new RegExp(`^${AGENTS_DATASET}:([A-Z][A-Z0-9]{0,9})$`).exec(dataset);
    if (named) return named[1]!;
    if (dataset !== LEGACY_DATASET) return null;
    const conversationId = ctx.activity.conversation.id;
    if (!conversationId) return null;
    const [row] = await this.db
      .select({ queueKey: tickets.queueKey })
      .from(anchors)
      .innerJoin(tickets, eq(tickets.id, anchors.ticketId))
      .where(and(eq(anchors.channel, 'teams'), eq(anchors.side, 'triage'), eq(anchors.externalRef, conversationId)));
    return row?.queueKey ?? null;
  }
}

function label(name: string | null | undefined, email: string): string {
  return name ? `${name} (${email})` : email;
}

function searchResponse(results: SearchResult[]) {
  return { type: 'application/vnd.microsoft.search.searchResponse', value: { results } };
}
