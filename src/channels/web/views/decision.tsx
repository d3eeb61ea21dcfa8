import type { ApprovalView, TicketView } from '../../../core/view.ts';
import { FieldList, type FieldItem } from './field-list.tsx';
import { Layout } from './layout.tsx';

const RATING_WORDS: Record<number, string> = { 1: 'Very poor', 2: 'Poor', 3: 'OK', 4: 'Good', 5: 'Excellent' };

function stepWho(step: ApprovalView): string {
  return step.approver ? (step.approver.name ?? step.approver.email) : 'a lead of the queue';
}

function when(iso: string | null, timezone: string): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: timezone }).format(new Date(iso));
}

/** Approve and Reject, the two submits of a decision form (the desk's and the approver's page). */
export function DecisionButtons({ approve }: { approve: string }) {
  return (
    <>
      <button type="submit" name="decision" value="approve" class="primary">
        {approve}
      </button>{' '}
      <button type="submit" name="decision" value="reject">
        Reject
      </button>
    </>
  );
}

/** The steps so far, as a short list (who, state, when, comment). */
export function ApprovalSteps({ steps, timezone }: { steps: ApprovalView[]; timezone: string }) {
  return (
    <ol class="approvals">
      {steps.map((s) => (
        <li class={`approval approval-${s.state}`} data-step={String(s.step)} data-state={s.state}>
          <strong>Step {s.step}</strong>: {stepWho(s)} — {s.state === 'pending' ? (s.current ? 'waiting for a decision' : 'later') : `${s.state} by ${s.decidedBy?.name ?? s.decidedBy?.email ?? 'someone'} on ${when(s.decidedAt, timezone)}`}
          {s.comment ? <q>{s.comment}</q> : null}
          {s.reason ? <span class="muted small"> ({s.reason})</span> : null}
        </li>
      ))}
    </ol>
  );
}

export interface ApprovalPageProps {
  ticket: TicketView;
  step: ApprovalView;
  typeName: string;
  fields: FieldItem[];
  timezone: string;
  /** The form's one-time token; null when there is nothing to decide (already decided, not up yet). */
  token: string | null;
  /** Why there is no form, or what went wrong. */
  notice?: PageNoticeValue;
  commentValue?: string | undefined;
  commentError?: string | undefined;
}

/** GET /approve/:token: the request and the question. Only the form's POST decides. */
type PageNoticeValue = { tone: 'ok' | 'error' | 'info'; text: string } | undefined;

/** The one-line outcome at the top of the approval and rating pages (an error is an alert). */
function PageNotice({ notice }: { notice: PageNoticeValue }) {
  return notice ? (
    <div class={`notice ${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
      {notice.text}
    </div>
  ) : null;
}

export function ApprovalPage(props: ApprovalPageProps) {
  const { ticket, step } = props;
  return (
    <Layout title={`Approve ${ticket.key}`}>
      <h1>
        Approval needed: <span class="key">{ticket.key}</span> {ticket.title}
      </h1>
      <PageNotice notice={props.notice} />
      <dl class="facts">
        <div>
          <dt>Requested by</dt>
          <dd>{ticket.requester.name ? `${ticket.requester.name} (${ticket.requester.email})` : ticket.requester.email}</dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{props.typeName}</dd>
        </div>
        <div>
          <dt>Step</dt>
          <dd>
            {step.step} of {ticket.approvals.length}
          </dd>
        </div>
      </dl>
      <FieldList fields={props.fields} />
      {ticket.description ? <p class="description">{ticket.description}</p> : null}
      <ApprovalSteps steps={ticket.approvals} timezone={props.timezone} />
      {props.token ? (
        <form method="post" class="decision">
          <input type="hidden" name="token" value={props.token} />
          <div class={`field${props.commentError ? ' has-error' : ''}`}>
            <label for="decision-comment">Comment (required to reject)</label>
            {props.commentError ? (
              <p class="field-error" id="comment-error">
                {props.commentError}
              </p>
            ) : null}
            <textarea id="decision-comment" name="comment" rows={3} aria-invalid={props.commentError ? 'true' : undefined}>
              {props.commentValue ?? ''}
            </textarea>
          </div>
          <DecisionButtons approve="Approve" />
        </form>
      ) : null}
    </Layout>
  );
}

export interface RatingFormProps {
  action: string;
  token: string;
  selected?: number | undefined;
  comment?: string | undefined;
}

/** "How did we do?" 1–5 with an optional comment; used by /rate/:token and the ticket page. */
export function RatingForm(props: RatingFormProps) {
  return (
    <form method="post" action={props.action} class="rating">
      <input type="hidden" name="token" value={props.token} />
      <fieldset>
        <legend>How did we do?</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label class="rating-choice">
            <input type="radio" name="rating" value={String(n)} required checked={props.selected === n} /> {n} · {RATING_WORDS[n]}
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="rating-comment">Anything to add? (optional)</label>
        <textarea id="rating-comment" name="comment" rows={3}>
          {props.comment ?? ''}
        </textarea>
      </div>
      <button type="submit" class="primary">
        Send rating
      </button>
    </form>
  );
}

export interface RatePageProps {
  ticket: TicketView;
  action: string;
  token: string | null;
  selected?: number | undefined;
  notice?: PageNoticeValue;
}

/** GET /rate/:token: the form (the link's ?r= preselects); only the POST records. */
export function RatePage(props: RatePageProps) {
  const { ticket } = props;
  const current = ticket.satisfaction;
  return (
    <Layout title={`Rate ${ticket.key}`}>
      <h1>
        <span class="key">{ticket.key}</span> {ticket.title}
      </h1>
      <PageNotice notice={props.notice} />
      {current ? (
        <p class="current-rating">
          Your rating: {current.rating} · {RATING_WORDS[current.rating]}
          {current.comment ? ` — “${current.comment}”` : ''}
        </p>
      ) : null}
      {props.token ? <RatingForm action={props.action} token={props.token} selected={props.selected ?? current?.rating} comment={current?.comment ?? undefined} /> : null}
    </Layout>
  );
}
