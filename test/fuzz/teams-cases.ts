import fc from 'fast-check';
import { teamsChannelMessage, teamsPersonalMessage } from '../fakes/teams/activities.ts';
import { TEAMS_FAKE_DEFAULTS } from '../fakes/teams/defaults.ts';
import { deleted, edited, installed, messageAction, peopleSearch, personalSubmit } from '../channels/teams/activities.ts';
import { answerProblem, brokenBodies, hostileJson, mutated } from './arbitraries.ts';

/**
 * Fuzz cases for POST /api/messages: the activities Teams sends (messages, card submits,
 * invokes, edits, deletes, installs, conversation updates), mutated, each with a Bot
 * Framework token signed by the local AAD/JWKS fake, so they pass authentication and reach
 * the Teams SDK and our handlers.
 */
export interface TeamsSeeds {
  url: string;
  serviceUrl: string;
  appId: string;
  /** `Bearer <jwt>` for the seeds' serviceUrl. */
  authorization: string;
}

let ids = 0;

function bases(seeds: TeamsSeeds): unknown[] {
  const { serviceUrl, appId } = seeds;
  const ada = TEAMS_FAKE_DEFAULTS.user;
  const thread = `${TEAMS_FAKE_DEFAULTS.channelId};messageid=1700000000001`;
  const message = teamsPersonalMessage({ serviceUrl, text: 'my laptop is broken', appId });
  const channelMessage = teamsChannelMessage({ serviceUrl, text: 'a note', from: ada, threadRootId: '1700000000001', appId });
  return [
    message,
    channelMessage,
    personalSubmit(serviceUrl, { sb: 'file', type: 'laptop', title: 'New laptop', f_model: '13-inch' }, undefined, undefined, appId),
    edited(channelMessage, 'an edited note'),
    deleted(channelMessage),
    installed(serviceUrl, ada),
    { ...message, type: 'conversationUpdate', membersAdded: [{ id: `28:${appId}` }], text: undefined },
    messageAction(serviceUrl, 'composeExtension/fetchTask', { commandId: 'fileRequest', messageText: 'printer jam' }, ada),
    peopleSearch(serviceUrl, thread, 'bo', ada),
  ];
}

export interface TeamsRequest {
  raw: string | undefined;
  value: unknown;
  contentType: string;
}

export function teamsRequests(seeds: TeamsSeeds): fc.Arbitrary<TeamsRequest> {
  const all = bases(seeds);
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...all).chain((base) => mutated(base)).map((value) => ({ raw: undefined, value, contentType: 'application/json' })) },
    { weight: 1, arbitrary: hostileJson.map((value) => ({ raw: undefined, value, contentType: 'application/json' })) },
    { weight: 1, arbitrary: brokenBodies.map((b) => ({ raw: b.body, value: undefined, contentType: b.contentType ?? 'text/plain' })) },
  );
}

export async function sendTeams(request: TeamsRequest, seeds: TeamsSeeds): Promise<string | null> {
  let value = request.value;
  // A fresh activity id per run, so the dedupe does not hide the handlers from the fuzzer.
  if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { id?: unknown }).id === 'string') value = { ...value, id: `fuzz-${++ids}` };
  const body = request.raw ?? JSON.stringify(value) ?? 'null';
  const response = await fetch(seeds.url, { method: 'POST', headers: { 'content-type': request.contentType, authorization: seeds.authorization }, body });
  const text = await response.text();
  const problem = answerProblem(response.status, response.headers.get('content-type'), text, { jsonErrors: response.status !== 200 && !(response.status >= 400 && response.status < 500 && text === '') });
  return problem ? `${body.slice(0, 400)} → ${problem}` : null;
}

export function teamsProperty(seeds: TeamsSeeds) {
  return fc.asyncProperty(teamsRequests(seeds), async (request) => {
    const problem = await sendTeams(request, seeds);
    if (problem) throw new Error(problem);
  });
}
