import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { parseCatalog, syncCatalog } from '../../src/core/catalog.ts';
import { findPersonByEmail, resolvePerson } from '../../src/core/people.ts';
import { agentsOf, queuesWorkedBy, roleOn } from '../../src/core/roles.ts';
import { deskRoles, people } from '../../src/db/schema.ts';
import { engine } from '../support/db.ts';
import { databaseForSuite } from '../support/data.ts';

const catalog = (roster: string) => `
${roster.includes('admins:') ? '' : 'admins: [boss@example.com]'}
calendars:
  always: { timezone: UTC, hours: 24x7 }
${roster}
request_types:
  q: { queue: IT, name: Question }
  h: { queue: HR, name: HR question }
`;

const v1 = catalog(`queues:
  IT: { name: IT, calendar: always, agents: [Marta@Example.com, bo@example.com], leads: [sara@example.com, bo@example.com] }
  HR: { name: HR, calendar: always, agents: [lena@example.com, marta@example.com] }`);

const database = databaseForSuite({ catalogYaml: v1 });
const id = async (email: string) => (await findPersonByEmail(database.db, email))!.id;

describe(`roles on ${engine}`, () => {
  it('resolves roster emails to one people row each, the same row a channel finds by email', async () => {
    const marta = await resolvePerson(database.db, { email: 'marta@example.com', slackUserId: 'U0MARTA' });
    expect(marta.id).toBe(await id('MARTA@example.com'));
    expect((await database.db.select().from(people).where(eq(people.email, 'marta@example.com'))).length).toBe(1);
  });

  it('gives each person their strongest role per queue; admins work every queue', async () => {
    expect(await roleOn(database.db, await id('marta@example.com'), 'IT')).toBe('agent');
    expect(await roleOn(database.db, await id('marta@example.com'), 'hr')).toBe('agent');
    expect(await roleOn(database.db, await id('bo@example.com'), 'IT')).toBe('lead'); // listed as both: lead wins
    expect(await roleOn(database.db, await id('bo@example.com'), 'HR')).toBeNull();
    expect(await roleOn(database.db, await id('boss@example.com'), 'HR')).toBe('admin');
    const employee = await resolvePerson(database.db, { email: 'ann@example.com' });
    expect(await roleOn(database.db, employee.id, 'IT')).toBeNull();
    expect(await queuesWorkedBy(database.db, employee.id)).toEqual([]);
    expect(await queuesWorkedBy(database.db, await id('marta@example.com'))).toEqual(['HR', 'IT']);
    expect(await queuesWorkedBy(database.db, await id('boss@example.com'))).toEqual(['HR', 'IT']);
  });

  it('lists a queue’s agents and leads in roster order, without admins or inactive people', async () => {
    expect((await agentsOf(database.db, 'IT')).map((a) => [a.email, a.role, a.away])).toEqual([
      ['marta@example.com', 'agent', false],
      ['bo@example.com', 'lead', false],
      ['sara@example.com', 'lead', false],
    ]);
    await database.db.update(people).set({ active: false }).where(eq(people.email, 'sara@example.com'));
    expect((await agentsOf(database.db, 'IT')).map((a) => a.email)).toEqual(['marta@example.com', 'bo@example.com']);
    expect(await roleOn(database.db, await id('sara@example.com'), 'IT')).toBeNull();
    expect(await queuesWorkedBy(database.db, await id('sara@example.com'))).toEqual([]);
    await database.db.update(people).set({ active: true }).where(eq(people.email, 'sara@example.com'));
  });

  it('replaces the roster on every load: whoever is no longer listed loses the role', async () => {
    await syncCatalog(
      database.db,
      parseCatalog(
        catalog(`admins: []
queues:
  IT: { name: IT, calendar: always, agents: [bo@example.com] }
  HR: { name: HR, calendar: always }`),
        'v2',
      ),
    );
    expect(await roleOn(database.db, await id('marta@example.com'), 'IT')).toBeNull();
    expect(await roleOn(database.db, await id('bo@example.com'), 'IT')).toBe('agent');
    expect(await roleOn(database.db, await id('boss@example.com'), 'IT')).toBeNull();
    expect(await database.db.select().from(deskRoles)).toHaveLength(1);
    await syncCatalog(database.db, parseCatalog(v1, 'v1 again'));
    expect(await database.db.select().from(deskRoles)).toHaveLength(6);
  });
});
