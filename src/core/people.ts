import { eq, or, sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { reusable } from '../db/reusable.ts';
import { people, type Person } from '../db/schema.ts';

/** Who someone is, as a channel saw them. Email is the key; platform ids are attached as they appear. */
export interface PersonInput {
  email: string;
  name?: string | undefined;
  slackUserId?: string | undefined;
  slackDmChannel?: string | undefined;
  teamsAadId?: string | undefined;
  teamsUserId?: string | undefined;
  teamsConversation?: unknown;
  timeZone?: string | undefined;
}

/** The key of a person: the email, trimmed and lower-cased. */
export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What a channel told us about a person besides the email (an empty object: nothing). */
export function learnedOf(input: PersonInput) {
  return {
    ...(input.name ? { name: input.name } : {}),
    ...(input.slackUserId ? { slackUserId: input.slackUserId } : {}),
    ...(input.slackDmChannel ? { slackDmChannel: input.slackDmChannel } : {}),
    ...(input.teamsAadId ? { teamsAadId: input.teamsAadId } : {}),
    ...(input.teamsUserId ? { teamsUserId: input.teamsUserId } : {}),
    ...(input.teamsConversation ? { teamsConversation: input.teamsConversation } : {}),
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
  };
}

/**
 * Find or create the person for an email, attaching any platform ids we learned.
 * An upsert on the email, so concurrent callers never create two rows for one email.
 */
const personWithEmail = reusable('person_by_email', (conn) => conn.select().from(people).where(eq(people.email, sql.placeholder('email'))));

export async function resolvePerson(conn: Conn, input: PersonInput): Promise<Person> {
  const email = normalEmail(input.email);
  const learned = learnedOf(input);
  const keys = Object.keys(learned) as Array<keyof typeof learned>;
  // Keep an existing name unless we learned one; refresh platform ids. A row that already says all
  // of it (or a create that names only the email) is not rewritten: a chat message names its author
  // every time, which was a new row version, index entries and WAL per message. The insert then
  // returns nothing and the select reads the row; pipelined, it runs after the insert and sees a
  // row that a concurrent insert of the same email committed while this one waited on it.
  const insert = conn.insert(people).values({ email, ...learned });
  const [[written], [existing]] = await Promise.all([
    (keys.length
      ? insert.onConflictDoUpdate({
          target: people.email,
          set: { ...learned, updatedAt: sql`now()` },
          setWhere: or(...keys.map((key) => sql`${sql.identifier('people')}.${sql.identifier(people[key].name)} is distinct from excluded.${sql.identifier(people[key].name)}`)),
        })
      : insert.onConflictDoNothing({ target: people.email })
    ).returning(),
    personWithEmail(conn, { email }),
  ]);
  const row = written ?? existing;
  if (row) return row;
  // Off a transaction the two may run on two connections: the select can have looked before a
  // concurrent create of this email committed (ours then found it and had nothing to change).
  const [again] = await personWithEmail(conn, { email });
  return again!;
}

export async function findPersonByEmail(conn: Conn, email: string): Promise<Person | undefined> {
  const [row] = await conn.select().from(people).where(eq(people.email, email.trim().toLowerCase()));
  return row;
}

