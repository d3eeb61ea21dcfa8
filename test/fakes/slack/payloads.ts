import { randomBytes } from 'node:crypto';
import type {
  BlockAction,
  ButtonAction,
  EnvelopedEvent,
  MessageShortcut,
  SlashCommand,
  StaticSelectAction,
  ViewOutput,
  ViewStateValue,
  ViewSubmitAction,
} from '@slack/bolt';
import { SLACK_FAKE_DEFAULTS } from './defaults.ts';

// Builders for what Slack POSTs to the app: Events API envelopes, interactivity payloads
// and slash commands, shaped as bolt's own types (which follow docs.slack.dev) describe them.

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomSlackId(prefix: string, length = 10): string {
  return prefix + [...randomBytes(length)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

function nowTs(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}

/** Slack trigger IDs look like "13345224609.738474920.8088930838d88f008e0". */
function randomTriggerId(): string {
  const digits = (n: number) => String(randomBytes(4).readUInt32BE() % 10 ** n).padStart(n, '0');
  return `${digits(10)}.${digits(9)}.${randomBytes(10).toString('hex').slice(0, 19)}`;
}

function defaultResponseUrl(teamId: string, kind: 'commands' | 'actions'): string {
  return `https://hooks.slack.com/${kind}/${teamId}/${digitsOnly()}/${randomBytes(12).toString('base64url')}`;
}

function digitsOnly(): string {
  return String(randomBytes(4).readUInt32BE()).padStart(10, '1');
}

export interface SlackActor {
  id: string;
  /** Slack handle; defaults to the id in lower case. */
  name?: string;
}

function actor(user: SlackActor, teamId: string) {
  const name = user.name ?? user.id.toLowerCase();
  return { id: user.id, username: name, name, team_id: teamId };
}

export interface EventCallbackOptions {
  eventId?: string;
  teamId?: string;
  apiAppId?: string;
  /** seconds */
  eventTime?: number;
  /** The installation the event is visible to; defaults to the fake's bot user. */
  authorizedUserId?: string;
}

/** The JSON body of an Events API `event_callback` delivery. `event.event_ts` defaults to `event.ts` or now. */
export function eventCallback<E extends { type: string }>(event: E, options: EventCallbackOptions = {}): EnvelopedEvent<{ event_ts: string } & E> {
  const teamId = options.teamId ?? SLACK_FAKE_DEFAULTS.teamId;
  const ts = 'ts' in event && typeof event.ts === 'string' ? event.ts : nowTs();
  return {
    token: SLACK_FAKE_DEFAULTS.verificationToken,
    team_id: teamId,
    context_team_id: teamId,
    api_app_id: options.apiAppId ?? SLACK_FAKE_DEFAULTS.appId,
    event: { event_ts: ts, ...event },
    type: 'event_callback',
    event_id: options.eventId ?? randomSlackId('Ev'),
    event_time: options.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: teamId, user_id: options.authorizedUserId ?? SLACK_FAKE_DEFAULTS.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ tid: teamId, aid: SLACK_FAKE_DEFAULTS.appId })).toString('base64url')}`,
  };
}

/** The form-encoded body Slack sends for every interactivity payload: `payload=<url-encoded JSON>`. */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface SlashCommandInput {
  command: string;
  text?: string;
  user_id: string;
  channel_id: string;
  user_name?: string;
  channel_name?: string;
  trigger_id?: string;
  response_url?: string;
  team_id?: string;
  team_domain?: string;
  api_app_id?: string;
}

/** The form-encoded body of a slash command invocation. */
export function slashCommandBody(input: SlashCommandInput): string {
  const teamId = input.team_id ?? SLACK_FAKE_DEFAULTS.teamId;
  const command: SlashCommand = {
    token: SLACK_FAKE_DEFAULTS.verificationToken,
    team_id: teamId,
    team_domain: input.team_domain ?? SLACK_FAKE_DEFAULTS.teamDomain,
    channel_id: input.channel_id,
    channel_name: input.channel_name ?? (input.channel_id.startsWith('D') ? 'directmessage' : input.channel_id.toLowerCase()),
    user_id: input.user_id,
    user_name: input.user_name ?? input.user_id.toLowerCase(),
    command: input.command,
    text: input.text ?? '',
    api_app_id: input.api_app_id ?? SLACK_FAKE_DEFAULTS.appId,
    is_enterprise_install: 'false',
    response_url: input.response_url ?? defaultResponseUrl(teamId, 'commands'),
    trigger_id: input.trigger_id ?? randomTriggerId(),
  };
  return new URLSearchParams(command).toString();
}

export type ActionInput =
  | { type?: 'button'; action_id: string; block_id?: string; value?: string; text?: string }
  | { type: 'static_select'; action_id: string; block_id?: string; selected: { value: string; text: string } };

function elementAction(input: ActionInput): ButtonAction | StaticSelectAction {
  const common = { action_id: input.action_id, block_id: input.block_id ?? randomSlackId('', 5), action_ts: nowTs() };
  if (input.type === 'static_select') {
    return { ...common, type: 'static_select', selected_option: { text: { type: 'plain_text', text: input.selected.text, emoji: true }, value: input.selected.value } };
  }
  return {
    ...common,
    type: 'button',
    text: { type: 'plain_text', text: input.text ?? input.action_id, emoji: true },
    ...(input.value === undefined ? {} : { value: input.value }),
  };
}

export interface BlockActionsInput {
  user: SlackActor;
  actions: ActionInput[];
  /** Clicked in a message: the channel and the message (a fake SlackMessage fits). */
  channel?: { id: string; name?: string };
  message?: { ts: string; text?: string; user?: string; thread_ts?: string; [key: string]: unknown };
  /** Clicked in a modal (e.g. `fake.view(id)`). */
  view?: ViewOutput;
  triggerId?: string;
  responseUrl?: string;
  teamId?: string;
}

/** Modal block actions carry no response_url, unlike bolt's type says. */
export type BlockActionsPayload = Omit<BlockAction<ButtonAction | StaticSelectAction>, 'response_url'> & { response_url?: string };

export function blockActions(input: BlockActionsInput): BlockActionsPayload {
  const teamId = input.teamId ?? SLACK_FAKE_DEFAULTS.teamId;
  const base = {
    type: 'block_actions' as const,
    user: actor(input.user, teamId),
    api_app_id: SLACK_FAKE_DEFAULTS.appId,
    token: SLACK_FAKE_DEFAULTS.verificationToken,
    trigger_id: input.triggerId ?? randomTriggerId(),
    team: { id: teamId, domain: SLACK_FAKE_DEFAULTS.teamDomain },
    is_enterprise_install: false,
    actions: input.actions.map(elementAction),
  };
  if (input.view !== undefined) {
    return { ...base, container: { type: 'view', view_id: input.view.id }, view: input.view, state: input.view.state };
  }
  if (input.channel === undefined || input.message === undefined) {
    throw new Error('blockActions needs either a view or a channel and a message');
  }
  return {
    ...base,
    container: {
      type: 'message',
      message_ts: input.message.ts,
      channel_id: input.channel.id,
      is_ephemeral: false,
      ...(input.message.thread_ts === undefined ? {} : { thread_ts: input.message.thread_ts }),
    },
    channel: { id: input.channel.id, name: input.channel.name ?? input.channel.id.toLowerCase() },
    message: { ...input.message, type: 'message' },
    state: { values: {} },
    response_url: input.responseUrl ?? defaultResponseUrl(teamId, 'actions'),
  };
}

export interface ViewSubmissionInput {
  user: SlackActor;
  /** The submitted view: `fake.view(id)`, or just the parts the handler reads. */
  view: Partial<ViewOutput> & { callback_id: string };
  /** state.values: block_id → action_id → value */
  values: Record<string, Record<string, ViewStateValue>>;
  triggerId?: string;
  teamId?: string;
}

export function viewSubmission(input: ViewSubmissionInput): ViewSubmitAction {
  const teamId = input.teamId ?? SLACK_FAKE_DEFAULTS.teamId;
  const id = input.view.id ?? randomSlackId('V');
  const view: ViewOutput = {
    id,
    team_id: teamId,
    app_installed_team_id: teamId,
    app_id: SLACK_FAKE_DEFAULTS.appId,
    bot_id: SLACK_FAKE_DEFAULTS.botId,
    type: 'modal',
    blocks: [],
    title: { type: 'plain_text', text: 'Modal', emoji: true },
    close: null,
    submit: null,
    private_metadata: '',
    hash: `${Math.floor(Date.now() / 1000)}.${randomSlackId('', 8).toLowerCase()}`,
    root_view_id: id,
    previous_view_id: null,
    clear_on_close: false,
    notify_on_close: false,
    external_id: '',
    ...input.view,
    state: { values: input.values },
  };
  return {
    type: 'view_submission',
    team: { id: teamId, domain: SLACK_FAKE_DEFAULTS.teamDomain },
    user: actor(input.user, teamId),
    api_app_id: SLACK_FAKE_DEFAULTS.appId,
    token: SLACK_FAKE_DEFAULTS.verificationToken,
    trigger_id: input.triggerId ?? randomTriggerId(),
    view,
    response_urls: [],
    is_enterprise_install: false,
  };
}

export interface MessageShortcutInput {
  callbackId: string;
  user: SlackActor;
  channel: { id: string; name?: string };
  message: { ts: string; text?: string; user?: string; [key: string]: unknown };
  triggerId?: string;
  responseUrl?: string;
  teamId?: string;
}

/** A message shortcut ("More actions" on a message): type `message_action`. */
export function messageShortcut(input: MessageShortcutInput): MessageShortcut {
  const teamId = input.teamId ?? SLACK_FAKE_DEFAULTS.teamId;
  return {
    type: 'message_action',
    token: SLACK_FAKE_DEFAULTS.verificationToken,
    action_ts: nowTs(),
    team: { id: teamId, domain: SLACK_FAKE_DEFAULTS.teamDomain },
    user: actor(input.user, teamId),
    channel: { id: input.channel.id, name: input.channel.name ?? input.channel.id.toLowerCase() },
    is_enterprise_install: false,
    callback_id: input.callbackId,
    trigger_id: input.triggerId ?? randomTriggerId(),
    response_url: input.responseUrl ?? defaultResponseUrl(teamId, 'actions'),
    message_ts: input.message.ts,
    message: { ...input.message, type: 'message' },
  };
}
