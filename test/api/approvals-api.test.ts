import { describe, expect, it } from 'vitest';
import { engine } from '../support/db.ts';
import { apiCaller, apiServiceForSuite } from './harness.ts';
import { scimUser } from '../support/scim.ts';

// The sample catalog's system-access asks the manager (from the directory, here provisioned over
// SCIM), then the form's manager_email, then any IT lead (sara.ng). The IT queue surveys after resolve.
const TOKEN = 'approvals-token';
const SCIM_TOKEN = 'approvals-scim-token-0123456789';
const app = apiServiceForSuite({ API_TOKENS: TOKEN, SCIM_TOKEN });
const call = apiCaller(app, TOKEN);

let n = 0;
async function accessRequest() {
  n += 1;
  const managerEmail = `manager${n}@example.com`;
  const requesterEmail = `emp${n}@example.com`;
  await scimUser(app.url, SCIM_TOKEN, requesterEmail, { managerId: await scimUser(app.url, SCIM_TOKEN, managerEmail) });
  const response = await call('POST', '/tickets', { type: 'system-access', title: 'Finance share', requester: { email: requesterEmail }, fields: { system: 'Finance share', role: 'read', manager_email: `controller${n}@example.com` } });
  expect(response.status).toBe(201);
  const ticket = (await response.json()) as { key: string; status: string; approvals: Array<{ step: number; approver: { email: string } | null; state: string }>; sla: { firstResponse: { dueAt: string | null; state: string } } };
  return { ticket, managerEmail, requesterEmail, fieldEmail: `controller${n}@example.com` };
}

const decision = (key: string, step: number, email: string, decisionValue: 'approve' | 'reject' = 'approve', comment?: string) =>
  call('POST', `/tickets/${key}/approvals/${step}/decision`, { decision: decisionValue, ...(comment ? { comment } : {}), approver: { email } });

describe(`approvals and satisfaction in the API on ${engine}`, () => {
  it('a system-access ticket starts awaiting approval with the manager from the directory, and the steps are decided in order', async () => {
    const { ticket, managerEmail, fieldEmail } = await accessRequest();
    expect(ticket.status).toBe('awaiting_approval');
    expect(ticket.sla.firstResponse).toMatchObject({ dueAt: null, state: 'paused' });
    expect(ticket.approvals).toEqual([
      { step: 1, rule: 'manager', approver: { email: managerEmail, name: expect.any(String) }, state: 'pending', current: true, reason: null, decidedBy: null, decidedAt: null, comment: null },
      { step: 2, rule: 'field:manager_email', approver: { email: fieldEmail, name: null }, state: 'pending', current: false, reason: null, decidedBy: null, decidedAt: null, comment: null },
      { step: 3, rule: 'queue_leads', approver: null, state: 'pending', current: false, reason: null, decidedBy: null, decidedAt: null, comment: null },
    ]);
    expect((await decision(ticket.key, 2, fieldEmail)).status).toBe(409);
    const first = await decision(ticket.key, 1, managerEmail, 'approve', 'ok');
    expect(first.status).toBe(200);
    expect(((await first.json()) as { approvals: Array<{ state: string }> }).approvals.map((a) => a.state)).toEqual(['approved', 'pending', 'pending']);
    expect((await decision(ticket.key, 2, fieldEmail)).status).toBe(200);
    const last = await decision(ticket.key, 3, 'sara.ng@example.com');
    expect(last.status).toBe(200);
    const opened = (await last.json()) as { status: string; sla: { firstResponse: { state: string; dueAt: string | null } } };
    expect(opened.status).toBe('open');
    expect(opened.sla.firstResponse.state).toBe('running');
    expect(opened.sla.firstResponse.dueAt).not.toBeNull();
    const events = ((await (await call('GET', `/tickets/${ticket.key}/events`)).json()) as { items: Array<{ type: string }> }).items.map((e) => e.type);
    expect(events.filter((t) => t.startsWith('approval_'))).toEqual(['approval_requested', 'approval_decided', 'approval_requested', 'approval_decided', 'approval_requested', 'approval_decided']);
  });

  it('answers 403 to anyone but the step\'s approver, and 409 with who decided what and when to a second decision', async () => {
    const { ticket, managerEmail, requesterEmail } = await accessRequest();
    for (const email of ['someone@example.com', requesterEmail, 'marta.lopez@example.com']) {
      const refused = await decision(ticket.key, 1, email);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: { code: 'forbidden', message: expect.stringContaining(`only ${managerEmail} can`), details: { step: 1, approver: managerEmail } } });
    }
    expect((await decision(ticket.key, 1, managerEmail, 'reject', 'Not this quarter')).status).toBe(200);
    const again = await decision(ticket.key, 1, managerEmail, 'approve');
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: {
        code: 'conflict',
        message: expect.stringMatching(/^step 1 was already rejected by .+ at \d{4}-/),
        details: { step: 1, decision: 'rejected', decidedBy: { email: managerEmail, name: expect.any(String) }, decidedAt: expect.any(String), comment: 'Not this quarter', channel: 'api' },
      },
    });
    const closed = (await (await call('GET', `/tickets/${ticket.key}`)).json()) as { status: string };
    expect(closed.status).toBe('closed');
  });

  it('a rejection without a reason is 400; an unknown step 404; a bad step 400', async () => {
    const { ticket, managerEmail } = await accessRequest();
    expect((await decision(ticket.key, 1, managerEmail, 'reject')).status).toBe(400);
    expect((await decision(ticket.key, 7, managerEmail)).status).toBe(404);
    expect((await call('POST', `/tickets/${ticket.key}/approvals/zero/decision`, { decision: 'approve', approver: { email: managerEmail } })).status).toBe(400);
    expect((await call('POST', `/tickets/${ticket.key}/approvals/1/decision`, { decision: 'maybe', approver: { email: managerEmail } })).status).toBe(400);
  });

  it('the requester rates a resolved ticket once, may change it until closed, and the report counts it', async () => {
    const created = await call('POST', '/tickets', { type: 'laptop', title: 'Dock', requester: { email: 'rater@example.com' }, fields: { model: '13-inch' } });
    const { key } = (await created.json()) as { key: string };
    expect((await call('POST', `/tickets/${key}/satisfaction`, { rating: 5, rater: { email: 'rater@example.com' } })).status).toBe(409);
    expect((await call('POST', `/tickets/${key}/transition`, { status: 'resolved', actor: { email: 'marta.lopez@example.com' } })).status).toBe(200);
    expect((await call('POST', `/tickets/${key}/satisfaction`, { rating: 5, rater: { email: 'marta.lopez@example.com' } })).status).toBe(403);
    expect((await call('POST', `/tickets/${key}/satisfaction`, { rating: 0, rater: { email: 'rater@example.com' } })).status).toBe(400);
    const rated = await call('POST', `/tickets/${key}/satisfaction`, { rating: 2, comment: 'Took long', rater: { email: 'rater@example.com' } });
    expect(rated.status).toBe(200);
    expect(((await rated.json()) as { satisfaction: unknown }).satisfaction).toEqual({ rating: 2, comment: 'Took long', ratedAt: expect.any(String) });
    expect((await call('POST', `/tickets/${key}/satisfaction`, { rating: 4, rater: { email: 'rater@example.com' } })).status).toBe(200);
    const report = (await (await call('GET', '/reports/satisfaction?queue=IT')).json()) as { totals: Record<string, unknown>; byChannel: Array<Record<string, unknown>> };
    expect(report.totals).toEqual({ asked: 1, answered: 1, responseRate: 1, csat: 1, mean: 4 });
    expect(report.byChannel).toEqual([{ channel: 'api', asked: 1, answered: 1, responseRate: 1, csat: 1, mean: 4 }]);
    expect((await call('POST', `/tickets/${key}/transition`, { status: 'closed', actor: { email: 'marta.lopez@example.com' } })).status).toBe(200);
    expect((await call('POST', `/tickets/${key}/satisfaction`, { rating: 1, rater: { email: 'rater@example.com' } })).status).toBe(409);
    expect((await call('GET', '/reports/satisfaction?queue=NOPE')).status).toBe(400);
    expect((await call('GET', '/reports/satisfaction?from=2026-12-01&to=2026-11-01')).status).toBe(400);
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/tickets/{key}/approvals/{step}/decision', '/tickets/{key}/satisfaction', '/reports/satisfaction']));
  });
});
