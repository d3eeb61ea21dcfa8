import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleCatalogFile } from '../../../src/core/catalog.ts';
import { recordEvent } from '../../../src/core/tickets.ts';
import { ada, cardOf, cardText, deskForSuite, triageChannel } from './harness.ts';

const escalations = '19:fake-escalations@thread.tacv2';
type Create = { channelData?: { channel?: { id?: string } }; activity?: { text?: string } };

describe('Teams escalation: an SLA breach on a queue that escalates to Teams starts a thread in that channel', () => {
  const catalogYaml = fs
    .readFileSync(sampleCatalogFile, 'utf8')
    .replace('"19:it-desk@thread.tacv2"', JSON.stringify(triageChannel))
    .replace('escalation: { slack_channel: C0999999999 }', `escalation: { teams_channel: ${JSON.stringify(escalations)} }`);
  // Teams has spoken to the bot once (Ada's install), so Switchboard knows the tenant's service URL.
  const desk = deskForSuite({
    catalogYaml,
    installedFor: [ada],
    prepare: async () => {
      expect(catalogYaml).toContain(escalations);
    },
  });

  it('sla_breached posts a new conversation in the escalation channel naming the ticket', async () => {
    const { connector } = desk;
    const created = await desk.api('POST', '/tickets', { type: 'password-reset', title: 'Cannot log in <at>anyone</at>', requester: { email: ada.email, name: ada.name }, fields: { account: 'VPN' } });
    const { key } = (await created.json()) as { key: string };
    await connector.waitFor((c) => c.route === 'createConversation' && cardText(cardOf((c.body as Create).activity)).includes('Cannot log in'), 5_000);
    await desk.anchored(key, 'teams', 'triage');

    await recordEvent(desk.sb.core, { ticketKey: key, type: 'sla_breached', visibility: 'internal', channel: 'system', body: 'First response is overdue', data: { clock: 'first_response' } });

    const post = await connector.waitFor((c) => c.route === 'createConversation' && (c.body as Create).channelData?.channel?.id === escalations, 5_000);
    expect(post.status).toBe(201);
    const text = String((post.body as Create).activity?.text ?? '');
    expect(text).toContain('Escalation');
    expect(text).toContain(key);
    expect(text).toContain('First response is overdue');
    expect(text).not.toContain('<at>');
    // Exactly one escalation thread; the triage channel still has just the ticket's own chain.
    expect(connector.calls.filter((c) => c.route === 'createConversation' && (c.body as Create).channelData?.channel?.id === escalations)).toHaveLength(1);
    expect(connector.calls.filter((c) => c.route === 'createConversation' && (c.body as Create).channelData?.channel?.id === triageChannel)).toHaveLength(1);
  });
});
