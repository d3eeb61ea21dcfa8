export { startSlackFake, type SeedMessage, type SlackCall, type SlackFake, type SlackFakeOptions, type SlackFault } from './server.ts';
export { signSlackRequest, signedSlackRequest, type SignedSlackRequestOptions, type SlackSignatureHeaders } from './sign.ts';
export {
  blockActions,
  eventCallback,
  interactionBody,
  messageShortcut,
  slashCommandBody,
  viewSubmission,
  type ActionInput,
  type BlockActionsInput,
  type BlockActionsPayload,
  type EventCallbackOptions,
  type MessageShortcutInput,
  type SlackActor,
  type SlashCommandInput,
  type ViewSubmissionInput,
} from './payloads.ts';
export { SLACK_FAKE_DEFAULTS, type SlackFakeIdentity } from './defaults.ts';
export type { EphemeralMessage, SeedChannel, SeedUser, SlackMessage, SlackReaction } from './workspace.ts';
