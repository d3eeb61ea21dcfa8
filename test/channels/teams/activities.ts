import { teamsChannelMessage, teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';

/** Activities our tests post beyond the fake's plain messages: card submits, invokes, installs. */

type Account = { id: string; name: string; aadObjectId?: string };

let lastId = 1_800_000_000_000;
export const nextId = (): string => String(++lastId);

/** Ada (or `from`) pressing an Action.Submit on a card in her chat with the bot. */
export function personalSubmit(serviceUrl: string, value: Record<string, unknown>, replyToId?: string, from?: Account, appId?: string) {
  const base = teamsPersonalMessage({ serviceUrl, text: '', ...(from ? { from } : {}), ...(appId ? { appId } : {}) });
  const { text: _text, ...rest } = base;
  return { ...rest, id: nextId(), value, ...(replyToId ? { replyToId } : {}) };
}

/** An Action.Submit pressed on the card at the root of a triage reply chain. */
export function channelSubmit(serviceUrl: string, threadId: string, value: Record<string, unknown>, from: Account) {
  const rootId = threadId.split(';messageid=')[1]!;
  const base = teamsChannelMessage({ serviceUrl, text: '', from, threadRootId: rootId });
  const { text: _text, ...rest } = base;
  return { ...rest, id: nextId(), value, replyToId: rootId };
}

/** A message typed in a triage reply chain. */
export function chainReply(serviceUrl: string, threadId: string, text: string, from: Account) {
  return { ...teamsChannelMessage({ serviceUrl, text, from, threadRootId: threadId.split(';messageid=')[1]! }), id: nextId() };
}

/** The app installed in a person's personal scope. */
export function installed(serviceUrl: string, from: Account) {
  const base = teamsPersonalMessage({ serviceUrl, text: '', from });
  const { text: _text, textFormat: _format, ...rest } = base;
  return { ...rest, type: 'installationUpdate', action: 'add', id: nextId() };
}

/** A message-extension invoke (fetchTask / submitAction) on a message in the triage channel. */
export function messageAction(
  serviceUrl: string,
  name: 'composeExtension/fetchTask' | 'composeExtension/submitAction',
  value: { commandId: string; data?: Record<string, unknown>; messageText: string; messageId?: string; fromBot?: boolean },
  from: Account,
  threadId = `${TEAMS_FAKE_DEFAULTS.channelId};messageid=${nextId()}`,
) {
  const base = teamsChannelMessage({ serviceUrl, text: '', from, threadRootId: threadId.split(';messageid=')[1]! });
  const { text: _text, textFormat: _format, ...rest } = base;
  return {
    ...rest,
    type: 'invoke',
    name,
    id: nextId(),
    value: {
      commandId: value.commandId,
      commandContext: 'message',
      ...(value.data ? { data: value.data } : {}),
      messagePayload: {
        id: value.messageId ?? '1700000000999',
        body: { contentType: 'html', content: `<p>${value.messageText}</p>` },
        // A bot's message names an application, a person's a user.
        from: value.fromBot ? { application: { id: TEAMS_FAKE_DEFAULTS.appId, displayName: 'Switchboard' } } : { user: { id: ada.id, displayName: ada.name } },
      },
    },
  };
}

const ada = TEAMS_FAKE_DEFAULTS.user;

/** The Assign picker's typeahead asking for people (an `application/search` invoke from a triage chain). */
export function peopleSearch(serviceUrl: string, threadId: string, queryText: string, from: Account, dataset = 'people') {
  const base = teamsChannelMessage({ serviceUrl, text: '', from, threadRootId: threadId.split(';messageid=')[1]! });
  const { text: _text, textFormat: _format, ...rest } = base;
  return { ...rest, type: 'invoke', name: 'application/search', id: nextId(), value: { kind: 'search', queryText, dataset, queryOptions: { skip: 0, top: 15 } } };
}

/**
 * Teams telling the bot that a message was edited (messageUpdate / editMessage) or deleted
 * (messageDelete / softDeleteMessage): the activity carries the message's own id.
 */
export function edited<T extends { id: string; channelData: object }>(message: T, text: string) {
  return { ...message, type: 'messageUpdate', text, timestamp: new Date().toISOString(), channelData: { ...message.channelData, eventType: 'editMessage' } };
}

export function deleted<T extends { id: string; channelData: object; text?: string }>(message: T) {
  const { text: _text, ...rest } = message;
  return { ...rest, type: 'messageDelete', timestamp: new Date().toISOString(), channelData: { ...message.channelData, eventType: 'softDeleteMessage' } };
}
