import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { answerArticleSearch, isArticleSearch } from './article-search.ts';
import type { PersonalChat } from './chat.ts';
import type { MessageEdits } from './edits.ts';
import { messageActionSchema, type MessageAction, type MessageExtension } from './extension.ts';
import type { TeamsIdentity } from './identity.ts';
import type { PeopleSearch } from './people-search.ts';
import type { InvokeAnswer, TeamsTurn } from './platform.ts';
import type { TenantDirectory } from './tenant.ts';
import type { TriageThread } from './triage.ts';
import type { TeamsDecisions } from './approval-actions.ts';

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
  /** Approve / Reject and rating cards (Action.Execute). */
  decisions?: TeamsDecisions;
}

const channelDataSchema = z.looseObject({ tenant: z.looseObject({ id: z.string() }).optional() });

/**
 * Routes each inbound activity to its intake path (what botbuilder's TeamsActivityHandler
 * did for the handlers we had). Redeliveries are stopped before the turn (endpoint.ts
 * claims the activity id in the database); the core commands are idempotent on
 * `teams:activity:<id>` besides. Activities sent by a bot (ours included) are never taken
 * as input. Resolves to the invoke's answer; undefined for other activities and for an
 * invoke nobody handles.
 */
export class SwitchboardBot {
  constructor(private readonly parts: BotParts) {}

  async run(ctx: TeamsTurn): Promise<InvokeAnswer | undefined> {
    const { activity } = ctx;
    if (isFromBot(ctx)) return undefined;
    await this.parts.tenant.learn(activity.serviceUrl, activity.conversation.tenantId ?? channelDataSchema.safeParse(activity.channelData).data?.tenant?.id);
    switch (activity.type) {
      case 'message':
        return void (await this.onMessage(ctx));
      case 'messageUpdate':
        // An edit; Teams also sends undeleteMessage here, which records nothing.
        if (activity.channelId === 'msteams' && activity.channelData?.eventType === 'editMessage') await this.parts.edits.onEdit(ctx);
        return undefined;
      case 'messageDelete':
        if (activity.channelId === 'msteams' && activity.channelData?.eventType === 'softDeleteMessage') await this.parts.edits.onDelete(ctx);
        return undefined;
      case 'conversationUpdate': {
        // The bot was added to a conversation: greet the person in their chat.
        const added = Array.isArray(activity.membersAdded) ? activity.membersAdded : [];
        if (added.some((member) => member.id === activity.recipient?.id)) await this.parts.chat.onInstalled(ctx);
        return undefined;
      }
      case 'installationUpdate':
        // The app was added: remember how to reach the person who added it in their chat.
        if (activity.action === 'add' || activity.action === 'add-upgrade') await this.parts.chat.onInstalled(ctx);
        return undefined;
      case 'invoke':
        return this.onInvoke(ctx);
      default:
        return undefined;
    }
  }

  private async onMessage(ctx: TeamsTurn): Promise<void> {
    const type = ctx.activity.conversation.conversationType;
    if (type === 'personal') await this.parts.chat.onMessage(ctx);
    else if (type === 'channel') await this.parts.triage.onMessage(ctx);
  }

  private async onInvoke(ctx: TeamsTurn): Promise<InvokeAnswer | undefined> {
    switch (ctx.activity.name) {
      case 'adaptiveCard/action':
        return this.parts.decisions?.handles(ctx.activity.value) ? this.parts.decisions.answer(ctx) : undefined;
      // The Assign picker's dynamic typeahead (Input.ChoiceSet with Data.Query).
      case 'application/search':
        // The Reply's help articles, else the Assign picker's agents.
        if (isArticleSearch(ctx.activity.value)) return answerArticleSearch(this.parts.db, ctx);
        return this.parts.people.answer(ctx);
      case 'composeExtension/fetchTask':
        return { status: 200, body: await this.parts.extension.fetchTask(ctx, readAction(ctx.activity.value)) };
      case 'composeExtension/submitAction': {
        const action = readAction(ctx.activity.value);
        // Bot message previews (edit/send) are not part of our message actions.
        if (action.botMessagePreviewAction) return undefined;
        return { status: 200, body: await this.parts.extension.submitAction(ctx, action) };
      }
      default:
        return undefined;
    }
  }
}

/** A message action's value; one we cannot read is an action we do not know. */
function readAction(value: unknown): MessageAction {
  return messageActionSchema.safeParse(value).data ?? {};
}

function isFromBot(ctx: TeamsTurn): boolean {
  const { from, recipient } = ctx.activity;
  return !from || from.id === recipient?.id || from.id.startsWith('28:') || from.role === 'bot';
}
