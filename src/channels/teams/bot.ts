import { TeamsActivityHandler, type InvokeResponse, type MessagingExtensionAction, type MessagingExtensionActionResponse, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { answerArticleSearch, isArticleSearch } from './article-search.ts';
import type { PersonalChat } from './chat.ts';
import type { MessageEdits } from './edits.ts';
import type { MessageExtension } from './extension.ts';
import type { TeamsIdentity } from './identity.ts';
import type { PeopleSearch } from './people-search.ts';
import type { TenantDirectory } from './tenant.ts';
import type { TriageThread } from './triage.ts';

export interface BotParts {
  chat: PersonalChat;
  triage: TriageThread;
  extension: MessageExtension;
  edits: MessageEdits;
  people: PeopleSearch;
  identity: TeamsIdentity;
  /** For the Reply's article typeahead. */
  db: Db;
  tenant: TenantDirectory;
  logger: Logger;
}

const channelDataSchema = z.looseObject({ tenant: z.looseObject({ id: z.string() }).optional() });

/**
 * Routes each inbound activity to its intake path. Redeliveries are stopped before the turn
 * (endpoint.ts claims the activity id in the database); the core commands are idempotent on
 * `teams:activity:<id>` besides. Activities sent by a bot (ours included) are never taken as input.
 */
export class SwitchboardBot extends TeamsActivityHandler {
  constructor(private readonly parts: BotParts) {
    super();
  }

  override async run(ctx: TurnContext): Promise<void> {
    const { activity } = ctx;
    if (isFromBot(ctx)) return;
    await this.parts.tenant.learn(activity.serviceUrl, activity.conversation?.tenantId ?? channelDataSchema.safeParse(activity.channelData).data?.tenant?.id);
    await super.run(ctx);
  }

  protected override async onMessageActivity(ctx: TurnContext): Promise<void> {
    const type = ctx.activity.conversation?.conversationType;
    if (type === 'personal') await this.parts.chat.onMessage(ctx);
    else if (type === 'channel') await this.parts.triage.onMessage(ctx);
  }

  /** A message was edited: if it became a comment, record the edit. */
  protected override async onTeamsMessageEdit(ctx: TurnContext): Promise<void> {
    await this.parts.edits.onEdit(ctx);
  }

  /** A message was deleted: if it became a comment, record the removal. */
  protected override async onTeamsMessageSoftDelete(ctx: TurnContext): Promise<void> {
    await this.parts.edits.onDelete(ctx);
  }

  /** The dynamic typeaheads (Input.ChoiceSet with Data.Query): the Reply's help articles, the Assign picker's agents. */
  protected override async onInvokeActivity(ctx: TurnContext): Promise<InvokeResponse> {
    if (ctx.activity.name === 'application/search' && isArticleSearch(ctx.activity.value)) return answerArticleSearch(this.parts.db, ctx);
    if (ctx.activity.name === 'application/search') return this.parts.people.answer(ctx);
    return super.onInvokeActivity(ctx);
  }

  /** The app was added: remember how to reach the person who added it in their chat. */
  protected override async onInstallationUpdateAddActivity(ctx: TurnContext): Promise<void> {
    await this.parts.chat.onInstalled(ctx);
  }

  protected override async onConversationUpdateActivity(ctx: TurnContext): Promise<void> {
    const added = Array.isArray(ctx.activity.membersAdded) ? ctx.activity.membersAdded : [];
    if (added.some((member) => member.id === ctx.activity.recipient.id)) await this.parts.chat.onInstalled(ctx);
  }

  protected override handleTeamsMessagingExtensionFetchTask(ctx: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.parts.extension.fetchTask(ctx, action);
  }

  protected override handleTeamsMessagingExtensionSubmitAction(ctx: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.parts.extension.submitAction(ctx, action);
  }
}

function isFromBot(ctx: TurnContext): boolean {
  const { from, recipient } = ctx.activity;
  return !from || from.id === recipient?.id || from.id.startsWith('28:') || from.role === 'bot';
}
