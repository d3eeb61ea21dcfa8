import fc from 'fast-check';
import { blockActions, eventCallback, interactionBody, messageShortcut, signedSlackRequest, slashCommandBody, viewSubmission } from '../fakes/slack/index.ts';
import { answerProblem, hostileJson, mutated } from './arbitraries.ts';

/**
 * Fuzz cases for POST /slack/events: every kind of body Slack sends (events, slash
 * commands, block actions, view submissions, shortcuts), mutated, then signed exactly as
 * Slack signs them so they get past the signature check and reach Bolt and our listeners.
 */
export interface SlackSeeds {
  url: string;
  signingSecret: string;
  user: { id: string };
  dm: string;
  channel: string;
}

type Kind = 'event' | 'command' | 'interaction';
let eventIds = 0;

function bases(seeds: SlackSeeds): Array<{ kind: Kind; body: unknown }> {
  const { user, dm, channel } = seeds;
  return [
    { kind: 'event', body: eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: user.id, text: 'My badge does not work', ts: '1700000000.000100' }) },
    { kind: 'event', body: eventCallback({ type: 'message', channel, channel_type: 'channel', user: user.id, text: 'reply', ts: '1700000000.000200', thread_ts: '1700000000.000100' }) },
    { kind: 'event', body: eventCallback({ type: 'reaction_added', user: user.id, reaction: 'ticket', item: { type: 'message', channel, ts: '1700000000.000100' }, item_user: user.id, event_ts: '1700000000.000300' }) },
    { kind: 'event', body: eventCallback({ type: 'app_mention', channel, user: user.id, text: '<@U0BOT0001> help', ts: '1700000000.000400' }) },
    { kind: 'command', body: Object.fromEntries(new URLSearchParams(slashCommandBody({ command: '/request', text: 'laptop broken', user_id: user.id, channel_id: dm }))) },
    { kind: 'interaction', body: blockActions({ user, channel: { id: dm }, message: { ts: '1700000000.000100', text: 'x' }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value: 'question', text: 'IT question' } }] }) },
    { kind: 'interaction', body: blockActions({ user, channel: { id: channel }, message: { ts: '1700000000.000100', text: 'x' }, actions: [{ type: 'button', action_id: 'claim', value: 'IT-1' }] }) },
    { kind: 'interaction', body: viewSubmission({ user, view: { callback_id: 'file_request', private_metadata: '{}' }, values: { title: { title: { type: 'plain_text_input', value: 'Help' } } } }) },
    { kind: 'interaction', body: messageShortcut({ callbackId: 'file_request', user, channel: { id: channel }, message: { ts: '1700000000.000100', text: 'help' } }) },
  ];
}

export interface SlackRequest {
  kind: Kind;
  body: unknown;
}

export function slackRequests(seeds: SlackSeeds): fc.Arbitrary<SlackRequest> {
  const all = bases(seeds);
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...all).chain(({ kind, body }) => mutated(body).map((b) => ({ kind, body: b }))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom<Kind>('event', 'command', 'interaction'), hostileJson).map(([kind, body]) => ({ kind, body })) },
  );
}

/** Serialise as Slack does: events as JSON, commands form-encoded, interactions in a `payload` form field. */
function serialise(request: SlackRequest): string | object {
  let body = request.body;
  // A fresh event id per run, so the dedupe does not hide the listeners from the fuzzer.
  if (body && typeof body === 'object' && !Array.isArray(body) && typeof (body as { event_id?: unknown }).event_id === 'string') body = { ...body, event_id: `EvFUZZ${++eventIds}` };
  if (request.kind === 'event') return body !== null && typeof body === 'object' ? body : JSON.stringify(body) ?? 'null';
  if (request.kind === 'command') {
    const fields = body && typeof body === 'object' ? Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? '']) : [['command', String(body)]];
    return new URLSearchParams(fields).toString();
  }
  return interactionBody(body as object);
}

export async function sendSlack(request: SlackRequest, seeds: SlackSeeds): Promise<string | null> {
  const body = serialise(request);
  const response = await fetch(signedSlackRequest(seeds.url, { signingSecret: seeds.signingSecret, body }));
  const text = await response.text();
  const problem = answerProblem(response.status, response.headers.get('content-type'), text, { jsonErrors: false });
  if (!problem && ![200, 400, 404].includes(response.status)) return `signed ${request.kind} answered ${response.status}`;
  return problem ? `${request.kind} ${JSON.stringify(body).slice(0, 400)} → ${problem}` : null;
}

export function slackProperty(seeds: SlackSeeds) {
  return fc.asyncProperty(slackRequests(seeds), async (request) => {
    const problem = await sendSlack(request, seeds);
    if (problem) throw new Error(problem);
  });
}
