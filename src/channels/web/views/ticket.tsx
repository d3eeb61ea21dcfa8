import type { TimelineEntry } from '../../../present/notices.ts';
import { actionOf, type TicketScreen } from '../../../present/ticket.ts';
import { Flash } from './flash.tsx';
import { Layout } from './layout.tsx';
import { FactList } from './fact-list.tsx';
import { FieldList } from './field-list.tsx';
import { RichText } from './rich-text.tsx';
import { SlaBox } from './sla-box.tsx';
import { Timeline, type AttachmentLink } from './timeline.tsx';
import { ApprovalSteps, RatingForm } from './decision.tsx';

export interface TicketPageProps {
  /** The ticket as the requester sees it (present/ticket.ts). */
  screen: TicketScreen;
  timeline: TimelineEntry[];
  /** The signed download link of a file an email brought in. */
  attachmentLink?: AttachmentLink;
  /** The page's own signed path (/t/KEY?e=..&s=..); actions post to siblings of it. */
  action: (verb: 'reply' | 'resolve' | 'reopen') => string;
  /** One-time tokens, one per form, so a replayed reply never swallows a resolve. */
  tokens: { reply: string; state: string };
  flash?: string | undefined;
  replyError?: string | undefined;
  replyValue?: string | undefined;
  /** No channel can reach the requester: tell them to keep this link. */
  unreachable?: boolean | undefined;
  /** The page's own signed link, absolute, offered to save when nothing else reaches them. */
  savedLink?: string | undefined;
  /** When that link stops working. */
  linkExpires?: Date | undefined;
  /** The requester's "How did we do?" form, once the ticket is resolved. */
  rate?: { action: string; token: string } | undefined;
}

/** The requester's view of one request. */
export function TicketPage(props: TicketPageProps) {
  const { screen } = props;
  const comment = actionOf(screen, 'comment');
  const state = actionOf(screen, 'resolve') ?? actionOf(screen, 'reopen');
  const reopens = actionOf(screen, 'reopen') !== undefined;
  return (
    <Layout title={`${screen.key} ${screen.title}`}>
      <p class="crumbs">
        <a href="/">All requests</a> › {screen.queueName}
      </p>
      <h1>
        <span class="key">{screen.key}</span> {screen.title}
      </h1>
      <Flash ok={props.flash} />
      <FactList screen={screen} />
      {props.unreachable ? (
        <section class="notice save-link" role="note" aria-labelledby="save-link-title">
          <h2 id="save-link-title">Save this link</h2>
          <p>
            We have no way to send you updates on this request (no email, Slack or Teams reaches you here), so come back to this page to follow it and to answer the desk.
          </p>
          {props.savedLink ? (
            <p>
              <label for="save-link-url">Your link to this request</label>
              <input id="save-link-url" type="text" readonly value={props.savedLink} />
              <span class="muted small">
                Bookmark this page or keep the link somewhere safe{props.linkExpires ? `: it works until ${longDate(props.linkExpires, screen.zone)}` : ''}.
              </span>
            </p>
          ) : null}
        </section>
      ) : null}
      <SlaBox sla={screen.sla} whyLabel="Why this time?" />
      <FieldList fields={screen.fields} rich />
      {screen.steps.length ? (
        <section aria-labelledby="approvals-title">
          <h2 id="approvals-title">Approvals</h2>
          <ApprovalSteps steps={screen.steps} timezone={screen.zone} />
        </section>
      ) : null}
      {props.rate ? (
        <section aria-labelledby="rate-title" class="rate">
          <h2 id="rate-title">{screen.satisfaction ? `Your rating: ${screen.satisfaction.rating} of 5` : 'Rate this request'}</h2>
          <RatingForm action={props.rate.action} token={props.rate.token} selected={screen.satisfaction?.rating} comment={screen.satisfaction?.comment ?? undefined} />
        </section>
      ) : null}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">What happened so far</h2>
        <p class="muted small">Times are {screen.zone}.</p>
        <Timeline entries={props.timeline} attachmentLink={props.attachmentLink} />
      </section>
      {!comment ? (
        <p class="muted">
          This request is closed. Need more help? <a href="/">Open a new request</a>.
        </p>
      ) : (
        <section aria-labelledby="reply-title" class="reply">
          <h2 id="reply-title">{reopens ? 'Not fixed after all?' : 'Add a reply'}</h2>
          <form method="post" action={props.action('reply')}>
            <input type="hidden" name="token" value={props.tokens.reply} />
            <div class={`field${props.replyError ? ' has-error' : ''}`}>
              <label for="reply-body">Your reply{reopens ? ' (this reopens the request)' : ''}</label>
              {props.replyError ? (
                <p class="field-error" id="reply-error">
                  {props.replyError}
                </p>
              ) : null}
              <textarea id="reply-body" name="body" rows={4} required aria-invalid={props.replyError ? 'true' : undefined} aria-describedby={props.replyError ? 'reply-error' : undefined}>
                {props.replyValue ?? ''}
              </textarea>
            </div>
            <button type="submit" class="primary">
              Send reply
            </button>
          </form>
          {state ? (
            <form method="post" action={props.action(state.id === 'reopen' ? 'reopen' : 'resolve')} class="inline">
              <input type="hidden" name="token" value={props.tokens.state} />
              <button type="submit">{state.label}</button>
            </form>
          ) : null}
        </section>
      )}
      {screen.description && !props.timeline.some((e) => e.type === 'created') ? <RichText text={screen.description} /> : null}
    </Layout>
  );
}

function longDate(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: timezone }).format(at);
}
