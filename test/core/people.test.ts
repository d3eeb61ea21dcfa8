import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { resolvePerson } from '../../src/core/people.ts';
import { people } from '../../src/db/schema.ts';
import { resultRows } from '../../src/db/migrate.ts';
import { engine } from '../support/db.ts';
import { databaseForSuite } from '../support/data.ts';

const database = databaseForSuite({
  catalogYaml: `
calendars: { always: { timezone: UTC, hours: 24x7 } }
queues: { IT: { name: IT, calendar: always, agents: [agent@example.com] } }
request_types: { q: { queue: IT, name: Question } }
`,
});

/** The row's version: a rewrite, even to the same values, gives it a new xmin. */
const versionOf = async (email: string) => resultRows<{ v: string }>(await database.db.execute(sql`select xmin::text as v from people where email = ${email}`))[0]?.v;

describe(`people as channels name them, on ${engine}`, () => {
  it('a person named again with what we know already is read, not rewritten; something new is written', async () => {
    const first = await resolvePerson(database.db, { email: 'Ada@Example.com', name: 'Ada', slackUserId: 'U0ADA', timeZone: 'Europe/Madrid' });
    expect(first).toMatchObject({ email: 'ada@example.com', name: 'Ada', slackUserId: 'U0ADA', timeZone: 'Europe/Madrid' });
    const version = await versionOf('ada@example.com');

    // Every chat message names its author: nothing new, so the same row version comes back.
    for (let i = 0; i < 3; i++) {
      const again = await resolvePerson(database.db, { email: 'ada@example.com', name: 'Ada', slackUserId: 'U0ADA', timeZone: 'Europe/Madrid' });
      expect(again).toEqual(first);
    }
    expect(await versionOf('ada@example.com')).toBe(version);

    // A new name (and a DM channel learned) is written, and the rest is kept.
    const renamed = await resolvePerson(database.db, { email: 'ada@example.com', name: 'Ada Lovelace', slackDmChannel: 'D0ADA' });
    expect(renamed).toMatchObject({ id: first.id, name: 'Ada Lovelace', slackUserId: 'U0ADA', slackDmChannel: 'D0ADA', timeZone: 'Europe/Madrid' });
    expect(await versionOf('ada@example.com')).not.toBe(version);
    const [stored] = await database.db.select().from(people).where(eq(people.email, 'ada@example.com'));
    expect(stored).toEqual(renamed);
  });

  it('many concurrent first messages from one new person make one row, and each caller gets it', async () => {
    const rows = await Promise.all(Array.from({ length: 8 }, () => resolvePerson(database.db, { email: 'bo@example.com', name: 'Bo', slackUserId: 'U0BO' })));
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
    expect(rows.every((r) => r.name === 'Bo' && r.slackUserId === 'U0BO')).toBe(true);
  });
});
