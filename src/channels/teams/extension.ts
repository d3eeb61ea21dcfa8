import { z } from 'zod';
import type { Catalog } from '../../core/catalog.ts';
import { CoreError } from '../../core/errors.ts';
import { ONLY_PERSON_MESSAGES } from '../../core/send-to-requester.ts';
import type { CoreContext } from '../../core/tickets.ts';
import { PICK_A_TYPE, REPLY_REQUIRED } from '../../present/forms.ts';
import { readSubmit } from './actions.ts';
import { card, requestFormCard, typePickerCard, type AdaptiveCard } from './form-cards.ts';
import { fileForm, prefillFrom, readForm, typeDef } from './forms.ts';
import type { TeamsIdentity } from './identity.ts';
import { adaptiveCard, type CardAttachment, type TeamsTurn } from './platform.ts';
import { referenceSchema } from './reference.ts';
import { plainText } from './text.ts';
import type { TriageThread } from './triage.ts';

/** The value of a composeExtension/fetchTask or submitAction invoke (the fields we read). */
export const messageActionSchema = z.looseObject({
  commandId: z.string().optional(),
  data: z.unknown().optional(),
  botMessagePreviewAction: z.string().optional(),
  messagePayload: z
    .looseObject({
      id: z.string().nullish().catch(undefined),
      body: z.looseObject({ content: z.string().nullish() }).nullish(),
      // A bot's message (our cards and lines included) names an application instead of a user.
      from: z.looseObject({ application: z.unknown().optional() }).nullish().catch(undefined),
    })
    .nullish(),
});

export type MessageAction = z.infer<typeof messageActionSchema>;

/** A task module answer: the next dialog, or a message that closes it. */
export type MessageActionResponse =
  | { task: { type: 'continue'; value: { title: string; card: CardAttachment; width: string; height: string } } }
  | { task: { type: 'message'; value: string } };

/** Command ids of the manifest's message actions. */
export const CREATE_REQUEST = 'createRequest';
export const SEND_TO_REQUESTER = 'sendToRequester';

/**
 * Message actions: "Create request" on any message (a task module: type picker → the
 * type's form prefilled from the message → ticket) and "Send to requester" on a message
 * in a triage thread (the explicit public path).
 */
export class MessageExtension {
  constructor(
    private readonly core: CoreContext,
    private readonly catalog: Catalog,
    private readonly identity: TeamsIdentity,
    private readonly triage: TriageThread,
  ) {}

  async fetchTask(_ctx: TeamsTurn, action: MessageAction): Promise<MessageActionResponse> {
    if (action.commandId === SEND_TO_REQUESTER) {
      if (action.messagePayload?.from?.application) return message(ONLY_PERSON_MESSAGES);
      return dialog(sendCard(messageText(action)), 'Send to requester');
    }
    if (action.commandId !== CREATE_REQUEST) return message('Unknown action.');
    return dialog(typePickerCard(this.catalog, messageText(action), []));
  }

  async submitAction(ctx: TeamsTurn, action: MessageAction): Promise<MessageActionResponse> {
    if (action.commandId === SEND_TO_REQUESTER) {
      // The dialog lets the agent trim the message first; without it, the message as posted.
      const edited = z.object({ reply: z.string() }).safeParse(action.data);
      // Only a person's words go to the requester, as on Slack.
      if (action.messagePayload?.from?.application) return message(ONLY_PERSON_MESSAGES);
      // Keyed on the message it was used on: a second use on that message sends nothing.
      return message(await this.triage.sendToRequester(ctx, edited.success ? edited.data.reply : messageText(action), action.messagePayload?.id ?? undefined));
    }
    if (action.commandId !== CREATE_REQUEST) return message('Unknown action.');
    const submit = readSubmit(action.data);
    if (submit?.sb === 'pick') {
      if (!submit.type || !typeDef(this.catalog, submit.type)) return dialog(typePickerCard(this.catalog, submit.text, [], PICK_A_TYPE));
      return dialog(requestFormCard(this.catalog, submit.type, prefillFrom(submit.text)));
    }
    if (submit?.sb !== 'file') return message('Nothing to do.');
    const form = readForm(this.catalog, submit);
    if (!form) return message('That request type no longer exists.');
    if (!form.ok) return dialog(requestFormCard(this.catalog, submit.type, form.values, form.errors));
    const requester = await this.identity.resolveSender(ctx);
    if (!requester) return message('Sorry, I could not look up your email address in Teams.');
    // Updates go to the person's own chat with the bot when the app is installed for them.
    const personal = referenceSchema.safeParse(requester.teamsConversation);
    try {
      const result = await fileForm(
        this.core,
        form,
        requester.email,
        ctx.activity.id,
        personal.success ? { conversationId: personal.data.conversation.id, reference: personal.data } : undefined,
      );
      return message(`Filed ${result.ticket.key}: ${result.ticket.title}`);
    } catch (error) {
      if (error instanceof CoreError) return message(error.message);
      throw error;
    }
  }
}

function messageText(action: MessageAction): string {
  return plainText(action.messagePayload?.body?.content ?? '');
}

function dialog(next: AdaptiveCard, title = 'Create request'): MessageActionResponse {
  return { task: { type: 'continue', value: { title, card: adaptiveCard(next), width: 'medium', height: 'large' } } };
}

/** Confirm (and trim) what goes to the requester. */
function sendCard(text: string): AdaptiveCard {
  return card(
    [
      { type: 'TextBlock', text: 'The requester will see this reply.', wrap: true },
      { type: 'Input.Text', id: 'reply', label: 'Reply', isMultiline: true, isRequired: true, errorMessage: REPLY_REQUIRED, value: text },
    ],
    [{ type: 'Action.Submit', title: 'Send to requester', data: { sb: 'send' } }],
  );
}

function message(text: string): MessageActionResponse {
  return { task: { type: 'message', value: text } };
}
