import { describe, expect, it } from 'vitest';
import { IT_TRIAGE, slackDeskForSuite } from './harness.ts';

// A Slack Web API call that never answers fails after DELIVERY_TIMEOUT (here 1 s) and goes back
// to the outbox, instead of holding its delivery (and, before the loops were released from their
// stragglers, every channel's deliveries) for as long as the connection stays open.
const desk = slackDeskForSuite({ DELIVERY_TIMEOUT: '1s' });

describe('a Slack call that hangs', () => {
  it('fails after DELIVERY_TIMEOUT and is retried; once Slack answers again the card is posted', async () => {
    const release = desk.fake.hold('chat.postMessage');
    let key = '';
    try {
      const created = await fetch(`${desk.sb.url}/api/v1/tickets`, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'question', title: 'The VPN drops every hour', requester: { email: 'ana@example.com' } }),
      });
      expect(created.status).toBe(201);
      key = ((await created.json()) as { key: string }).key;
      const timedOut = await desk.until(
        async () => (await desk.deliveriesOf(key)).find((d) => d.channel === 'slack' && d.status === 'pending' && d.attempts >= 1 && /timeout/i.test(d.lastError ?? '')),
        'the triage card delivery back to pending with a timeout error',
        8_000,
      );
      expect(timedOut.lastError).toMatch(/timeout/i);
    } finally {
      release();
    }
    await desk.until(async () => (await desk.deliveriesOf(key)).find((d) => d.channel === 'slack' && d.status === 'sent'), 'the triage card sent on a retry', 8_000);
    expect(desk.fake.callsTo('chat.postMessage').some((c) => c.body.channel === IT_TRIAGE && c.status === 200)).toBe(true);
  });
});
