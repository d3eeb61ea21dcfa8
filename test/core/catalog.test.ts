import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile, parseCatalog, syncCatalog } from '../../src/core/catalog.ts';
import { Invalid } from '../../src/core/errors.ts';
import { createTicket, getTicket } from '../../src/core/tickets.ts';
import { migrate } from '../../src/db/migrate.ts';
import { requestTypes } from '../../src/db/schema.ts';
import { engine } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

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

const { database, ctx } = coreForSuite(() => new Date('2026-11-23T10:00:00Z'), [], { catalogYaml: yaml(laptop + mouse + monitor) });

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
      [yaml('  laptop: { queue: NOPE, name: Laptop }\n'), /^catalog f\.yaml: request_types\.laptop\.queue \(line 7\): unknown queue 'NOPE'$/],
      [yaml('  laptop: { queue: IT, name: Laptop, sla: { P3: { first_response: 2d, resolution: 4h } } }\n'), /^catalog f\.yaml: request_types\.laptop\.sla\.P3\.first_response \(line 7\): .*2d/],
      [yaml('  laptop: { queue: IT, name: Laptop, fields: [{ id: m, label: M, type: select }] }\n'), /request_types\.laptop\.fields\.0\.options \(line 7\): a select field needs options/],
      [yaml('  laptop: { queue: IT, name: Laptop, colour: red }\n'), /request_types\.laptop\.colour \(line 7\): unknown key 'colour'/],
      ['queues: [1, 2', /^catalog f\.yaml: not valid YAML/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseCatalog(text, 'f.yaml')).toThrow(message);
    }
  });

  it('reports every problem of a file at once, in file order, unknown keys included', () => {
    const text = `admins: [boss]
calendars:
  office: { timezone: UTC, hours: 24x7 }
queues:
  IT:
    name: IT
    calendar: offce
    agents: [marta@example.com, marta]
    assignment: roundrobin
    colour: red
    follow_up: { remind_waiting: [2x], close_resolved_after: 3d }
    satisfaction: { survey: true, cooldown: 7d }
    handling_time: 20m
request_types:
  access:
    queue: ITT
    name: Access
    fields: [{ id: manager_email, label: Manager, type: email }, { id: note, label: Note, type: text }]
    approvals: [{ approver: manager }, { approver: field:note }, { approver: field:manager_email }, { approver: boss }, { approver: queue_leads }]
macros:
  ask-tag: { title: Ask for the tag }
extra: 1
`;
    let error: unknown;
    try {
      parseCatalog(text, 'f.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Invalid);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe('catalog f.yaml: 11 problems');
    expect(lines.slice(1).map((l) => l.trim())).toEqual([
      'admins.0 (line 1): must be an email address',
      "queues.IT.calendar (line 7): unknown calendar 'offce'",
      'queues.IT.agents.1 (line 8): must be an email address',
      expect.stringMatching(/^queues\.IT\.assignment \(line 9\): .*round_robin/),
      "queues.IT.colour (line 10): unknown key 'colour'",
      expect.stringMatching(/^queues\.IT\.follow_up\.remind_waiting\.0 \(line 11\): "2x" is not a duration/),
      "request_types.access.queue (line 16): unknown queue 'ITT'",
      "request_types.access.approvals.1.approver (line 19): field 'note' is not an email field",
      'request_types.access.approvals.3.approver (line 19): approver must be manager, queue_leads or field:<an email field id>',
      'macros.ask-tag.body (line 21): Invalid input: expected string, received undefined',
      "extra (line 22): unknown key 'extra'",
    ]);
  });

  it('accepts the second-wave keys: roster, assignment, satisfaction, follow-up, handling time, approvals, macros', () => {
    const catalog = parseCatalog(
      `admins: [IT-Lead@Example.com]
calendars:
  office: { timezone: UTC, hours: 24x7 }
queues:
  IT:
    name: IT
    calendar: office
    agents: [Marta.Lopez@example.com, bo.chen@example.com]
    leads: [sara.ng@example.com]
    assignment: round_robin
    satisfaction: { survey: true, cooldown: 7d }
    follow_up: { remind_waiting: [2d, 4d], resolve_waiting_after: 7d, close_resolved_after: 3d }
    handling_time: 20m
request_types:
  system-access:
    queue: IT
    name: Access
    fields: [{ id: manager_email, label: Manager, type: email }]
    approvals: [{ approver: manager }, { approver: "field:manager_email" }, { approver: queue_leads }]
macros:
  need-asset-tag: { title: Ask for the asset tag, body: "Hi {{requester.first_name}} ({{ticket.key}})" }
`,
      'ok.yaml',
    );
    expect(catalog.admins).toEqual(['it-lead@example.com']);
    expect(catalog.queues.IT).toMatchObject({ agents: ['marta.lopez@example.com', 'bo.chen@example.com'], leads: ['sara.ng@example.com'], assignment: 'round_robin', handling_time: 20 });
    expect(catalog.queues.IT!.follow_up).toEqual({ remind_waiting: [2880, 5760], resolve_waiting_after: 10080, close_resolved_after: 4320 });
    expect(catalog.request_types['system-access']!.approvals).toHaveLength(3);
    expect(catalog.macros['need-asset-tag']!.title).toBe('Ask for the asset tag');
    expect(loadCatalogFile(undefined).queues.IT!.agents.length).toBeGreaterThan(0);
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
