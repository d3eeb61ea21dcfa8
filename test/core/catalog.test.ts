import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogFile, parseCatalog, syncCatalog } from '../../src/core/catalog.ts';
import { Invalid } from '../../src/core/errors.ts';
import { createTicket, getTicket, type CoreContext } from '../../src/core/tickets.ts';
import { migrate } from '../../src/db/migrate.ts';
import { requestTypes } from '../../src/db/schema.ts';
import { engine, freshDatabase, type TestDatabase } from '../support/db.ts';

const yaml = (types: string) => `
calendars:
  office: { timezone: Europe/Madrid, hours: { mon-fri: ["09:00-17:00"] } }
queues:
  IT: { name: IT desk, calendar: office }
request_types:
${types}`;

const laptop = '  laptop: { queue: IT, name: Laptop, fields: [{ id: model, label: Model, type: text, required: true }], sla: { P3: { first_response: 4h, resolution: 1h30m } } }\n';
const mouse = '  mouse: { queue: IT, name: Mouse }\n';
const monitor = '  monitor: { queue: IT, name: Monitor }\n';

let database: TestDatabase;
let ctx: CoreContext;
beforeAll(async () => {
  database = await freshDatabase({ catalogYaml: yaml(laptop + mouse + monitor) });
  ctx = { db: database.db, now: () => new Date('2026-11-23T10:00:00Z'), enabled: new Set() };
});
afterAll(async () => database.drop());

describe(`catalog on ${engine}`, () => {
  it('ships a sample with IT, HR and Facilities and at least six request types', () => {
    const sample = loadCatalogFile(undefined);
    expect(Object.keys(sample.queues)).toEqual(['IT', 'HR', 'FAC']);
    expect(Object.keys(sample.request_types)).toEqual(
      expect.arrayContaining(['laptop', 'system-access', 'password-reset', 'hr-letter', 'payroll-question', 'broken-badge']),
    );
    expect(sample.request_types.laptop!.sla.P1).toEqual({ first_response: 30, resolution: 240 });
  });

  it('names the file, the path in it and the problem for an invalid catalog', () => {
    const cases: Array<[string, RegExp]> = [
      [yaml('  laptop: { queue: NOPE, name: Laptop }\n'), /^catalog f\.yaml: request_types\.laptop\.queue: unknown queue 'NOPE'$/],
      [yaml('  laptop: { queue: IT, name: Laptop, sla: { P3: { first_response: 2d, resolution: 4h } } }\n'), /^catalog f\.yaml: request_types\.laptop\.sla\.P3\.first_response: .*2d/],
      [yaml('  laptop: { queue: IT, name: Laptop, fields: [{ id: m, label: M, type: select }] }\n'), /request_types\.laptop\.fields\.0\.options: a select field needs options/],
      [yaml('  laptop: { queue: IT, name: Laptop, colour: red }\n'), /request_types\.laptop: Unrecognized key/],
      ['queues: [1, 2', /^catalog f\.yaml: not valid YAML/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseCatalog(text, 'f.yaml')).toThrow(message);
    }
  });

  it('archives a removed type that has tickets, deletes one that has none, and old tickets keep working', async () => {
    const { ticket } = await createTicket(ctx, { type: 'laptop', title: 'A laptop', requester: { email: 'a@example.com' }, fields: { model: 'x' }, channel: 'api' });
    await syncCatalog(database.db, parseCatalog(yaml(mouse), 'v2'));
    const rows = await database.db.select().from(requestTypes);
    expect(rows.map((r) => r.key).sort()).toEqual(['laptop', 'mouse']);
    expect(rows.find((r) => r.key === 'laptop')!.archivedAt).toBeInstanceOf(Date);
    expect((await getTicket(ctx, ticket.key)).type).toBe('laptop');
    await expect(createTicket(ctx, { type: 'laptop', title: 'Another', requester: { email: 'a@example.com' }, fields: { model: 'x' }, channel: 'api' })).rejects.toBeInstanceOf(Invalid);
    // Putting it back brings it back.
    await syncCatalog(database.db, parseCatalog(yaml(laptop + mouse), 'v3'));
    const [back] = await database.db.select().from(requestTypes).where(eq(requestTypes.key, 'laptop'));
    expect(back!.archivedAt).toBeNull();
  });

  it('applies migrations twice as a no-op', async () => {
    await migrate(database);
    await migrate(database);
    expect((await database.db.select().from(requestTypes)).length).toBeGreaterThan(0);
  });
});
