import { asc, ilike, or } from 'drizzle-orm';
import { TeamsInfo, type InvokeResponse, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { people } from '../../db/schema.ts';

/** The dataset the triage card's Assign picker queries (`choices.data: Data.Query`). */
export const PEOPLE_DATASET = 'people';

/** Teams shows at most 15 typeahead choices. */
const LIMIT = 15;

const searchValueSchema = z.looseObject({ queryText: z.string().default(''), dataset: z.string().default('') });

export type SearchResult = { title: string; value: string };

/**
 * Answers the `application/search` invoke of a dynamic typeahead (Input.ChoiceSet with
 * Data.Query): people we know (email or name matches), then members of the conversation
 * Teams knows, each as { title: "Name (email)", value: email }.
 */
export class PeopleSearch {
  constructor(private readonly db: Db) {}

  async answer(ctx: TurnContext): Promise<InvokeResponse> {
    const value = searchValueSchema.safeParse(ctx.activity.value);
    if (!value.success || value.data.dataset !== PEOPLE_DATASET) return { status: 200, body: searchResponse([]) };
    return { status: 200, body: searchResponse(await this.search(ctx, value.data.queryText.trim())) };
  }

  async search(ctx: TurnContext, queryText: string): Promise<SearchResult[]> {
    const pattern = `%${queryText.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .select({ email: people.email, name: people.name })
      .from(people)
      .where(or(ilike(people.email, pattern), ilike(people.name, pattern)))
      .orderBy(asc(people.name), asc(people.email))
      .limit(LIMIT);
    const results = new Map<string, SearchResult>();
    for (const row of rows) results.set(row.email, { title: label(row.name, row.email), value: row.email });
    if (results.size < LIMIT) {
      for (const member of await this.members(ctx, queryText.toLowerCase())) {
        if (results.size >= LIMIT) break;
        if (!results.has(member.value)) results.set(member.value, member);
      }
    }
    return [...results.values()];
  }

  /** Members of the conversation the card is in (one page; best effort). */
  private async members(ctx: TurnContext, query: string): Promise<SearchResult[]> {
    try {
      const page = await TeamsInfo.getPagedMembers(ctx, 200);
      return page.members
        .map((m) => ({ email: (m.email ?? m.userPrincipalName ?? '').toLowerCase(), name: m.name }))
        .filter((m) => m.email.includes('@') && (m.email.includes(query) || (m.name ?? '').toLowerCase().includes(query)))
        .map((m) => ({ title: label(m.name, m.email), value: m.email }));
    } catch {
      return [];
    }
  }
}

function label(name: string | null | undefined, email: string): string {
  return name ? `${name} (${email})` : email;
}

function searchResponse(results: SearchResult[]) {
  return { type: 'application/vnd.microsoft.search.searchResponse', value: { results } };
}
