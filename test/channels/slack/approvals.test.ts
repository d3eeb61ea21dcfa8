import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePerson } from '../../../src/core/people.ts';
import { transition } from '../../../src/core/tickets.ts';
import { people } from '../../../src/db/schema.ts';
import { blockActions, interactionBody, viewSubmission } from '../../fakes/slack/index.ts';
import { IT_TRIAGE, SLACK_TEST_CATALOG, ada, bob, cyd, eve, fileViaDm, startSlackDesk, textOf, type SlackDesk } from './harness.ts';

// The harness catalog plus a type with approvals (Ada's manager from the directory is Eve, then
// any IT lead: cyd) and IT's survey. Everyone is on Slack, so every card is a Slack DM.
const CATALOG = SLACK_TEST_CATALOG.replace(
  `agents: [${bob.email}, ${cyd.email}] }`,
  `agents: [${bob.email}], leads: [${cyd.email}], satisfaction: { survey: true } }`,
).replace(
  'request_types:\n',
  `request_types:
  access:
    queue: IT
    name: System access
    approvals: [{ approver: manager }, { approver: queue_leads }]
    sla: { P3: { first_response: 4h, resolution: 24h } }
`,
);

describe('approvals and ratings on Slack', { timeout: 60_000 }, () => {
  let desk: SlackDesk;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-slack-approvals-'));
    const file = path.join(tmp, 'catalog.yaml');
    fs.writeFileSync(file, CATALOG);
    desk = await startSlackDesk({ CATALOG_FILE: file });
    const db = desk.sb.database.db;
    const manager = await resolvePerson(db, { email: eve.email, name: eve.realName, slackUserId: eve.id });
    const employee = await resolvePerson(db, { email: ada.email, name: ada.realName, slackUserId: ada.id });
    await db.update(people).set({ managerId: manager.id }).where(eq(people.id, employee.id));
    // Cyd has used Slack before (his Slack id is known), so his cards come there.
    await resolvePerson(db, { email: cyd.email, name: cyd.realName, slackUserId: cyd.id });
  });
  afterAll(async () => {
    await desk?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const approvalCards = (user: string) => desk.fake.callsTo('chat.postMessage').filter((c) => c.status === 200 && c.body.channel === `D${user}` && textOf(c.body.blocks).includes('Approval needed'));
  const click = (user: typeof ada, channel: string, ts: string, action_id: string, value: string) =>
    desk.post(interactionBody(blockActions({ user, channel: { id: channel }, message: { ts, text: 'card' }, actions: [{ action_id, value }] })));

  it('the manager approves from the DM card; a second click anywhere is told who decided; every copy of the card is updated', async () => {
    const filed = await fileViaDm(desk, ada, 'Access to the finance share please', 'System access');
    await desk.drain();
    const card = await desk.until(() => approvalCards(eve.id).find((c) => textOf(c.body.blocks).includes(filed.key)), "Eve's approval card");
    const ts = (card.response as { ts: string }).ts;
    const value = JSON.parse(JSON.stringify((card.body.blocks as Array<{ elements?: Array<{ action_id: string; value: string }> }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'approval_approve')!.value)) as string;

    // Bob (an agent, not the approver) clicks: refused, nothing decided.
    await click(bob, `D${eve.id}`, ts, 'approval_approve', value);
    await desk.until(() => desk.fake.callsTo('chat.postMessage').find((c) => c.body.channel === `D${eve.id}` && String(c.body.text).includes('cannot decide step 1')), 'the refusal');
    expect((await desk.timeline(filed.key)).some((e) => e.type === 'approval_decided')).toBe(false);

    await click(eve, `D${eve.id}`, ts, 'approval_approve', value);
    await desk.until(async () => (await desk.timeline(filed.key)).find((e) => e.type === 'approval_decided'), 'the decision');
    await desk.drain();
    // Eve's card is edited in place to the decision.
    const edited = await desk.until(() => desk.fake.callsTo('chat.update').find((c) => c.body.channel === `D${eve.id}` && c.body.ts === ts && textOf(c.body.blocks).includes('Approved')), "Eve's card edited");
    expect(textOf(edited.body.blocks)).not.toContain('Reject');
    // The triage card and Ada's card are refreshed too (the decision is on the timeline of both threads).
    await desk.until(() => desk.fake.callsTo('chat.update').find((c) => c.body.channel === IT_TRIAGE && c.body.ts === filed.cardTs && textOf(c.body.blocks).includes('Approvals: 1 approved by Eve Colleague · 2 waiting for a lead')), 'the triage card showing the decision', 10_000);
    await desk.until(() => desk.fake.callsTo('chat.update').find((c) => c.body.channel === filed.dm && textOf(c.body.blocks).includes('Approvals: 1 approved by Eve Colleague')), "Ada's card showing the decision", 10_000);
    await desk.until(() => desk.fake.callsTo('chat.postMessage').find((c) => c.body.channel === filed.dm && String(c.body.text).includes('Approved by Eve')), 'the line in her DM', 10_000);

    // Eve clicks the old button again: told who decided what and when.
    await click(eve, `D${eve.id}`, ts, 'approval_approve', value);
    await desk.until(() => desk.fake.callsTo('chat.postMessage').find((c) => c.body.channel === `D${eve.id}` && /Step 1 was already approved by Eve Colleague/.test(String(c.body.text))), 'the answer to a second click');

    // Step 2 goes to the lead, cyd; he rejects in the modal, which insists on a reason.
    const leadCard = await desk.until(() => approvalCards(cyd.id).find((c) => textOf(c.body.blocks).includes(filed.key)), "Cyd's card");
    const leadTs = (leadCard.response as { ts: string }).ts;
    const leadValue = (leadCard.body.blocks as Array<{ elements?: Array<{ action_id: string; value: string }> }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'approval_reject')!.value;
    await click(cyd, `D${cyd.id}`, leadTs, 'approval_reject', leadValue);
    const opened = await desk.until(() => desk.fake.callsTo('views.open').find((c) => c.status === 200), 'the reason modal');
    const view = { callback_id: 'approval_reject_modal', private_metadata: String((opened.body.view as { private_metadata: string }).private_metadata) };
    const empty = await desk.post(interactionBody(viewSubmission({ user: cyd, view, values: { reason: { reason: { type: 'plain_text_input', value: '' } } } })));
    expect(await empty.json()).toMatchObject({ response_action: 'errors' });
    await desk.post(interactionBody(viewSubmission({ user: cyd, view, values: { reason: { reason: { type: 'plain_text_input', value: 'Needs a budget code' } } } })));
    await desk.until(async () => (await desk.timeline(filed.key)).find((e) => e.type === 'status_changed' && e.body.includes('closed')), 'the close');
    await desk.drain();
    // Ada hears why in her own DM thread.
    await desk.until(() => desk.fake.callsTo('chat.postMessage').find((c) => c.body.channel === filed.dm && String(c.body.text).includes('Rejected by Cyd Agent (step 2 of 2): Needs a budget code')), 'the rejection in her DM', 10_000);
  });

  it('the requester rates from the DM buttons, and the card says so', async () => {
    const filed = await fileViaDm(desk, ada, 'Monitor flickers', 'IT question');
    await transition(desk.sb.core, { ticketKey: filed.key, status: 'resolved', channel: 'api' });
    await desk.drain();
    const survey = await desk.until(() => desk.fake.callsTo('chat.postMessage').find((c) => c.body.channel === `D${ada.id}` && textOf(c.body.blocks).includes('How did we do?') && textOf(c.body.blocks).includes(filed.key)), 'the survey');
    const ts = (survey.response as { ts: string }).ts;
    await click(ada, `D${ada.id}`, ts, 'rate_5', filed.key);
    await desk.until(async () => (await desk.timeline(filed.key)).find((e) => e.type === 'satisfaction_rated'), 'the rating');
    await desk.drain();
    await desk.until(() => desk.fake.callsTo('chat.update').find((c) => c.body.ts === ts && textOf(c.body.blocks).includes('You rated it *5/5*')), 'the survey card edited');
    // Bob cannot rate Ada's ticket.
    await click(bob, `D${bob.id}`, ts, 'rate_1', filed.key);
    await desk.until(() => desk.fake.callsTo('chat.postMessage').find((c) => c.body.channel === `D${bob.id}` && String(c.body.text).includes('only the requester')), 'the refusal');
  });
});
