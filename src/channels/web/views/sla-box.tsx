import type { SlaFacts } from '../../../present/sla.ts';

/**
 * The SLA on a web page. A page is drawn when it is read, so it may say "due in 2 h" (the
 * live phrase) next to the absolute due time every other channel shows.
 */
export function SlaBox({ sla, whyLabel }: { sla: SlaFacts | null; whyLabel: string }) {
  if (!sla) return null;
  return (
    <>
      {sla.closed ? <p class="sla sla-closed">{sla.closed.line}</p> : <p class={`sla sla-${sla.tone}`}>{`${sla.live}.`}</p>}
      <p class="sla-at muted small">{sla.line}</p>
      {sla.why ? (
        <details class="sla-why">
          <summary>{whyLabel}</summary>
          <p>{sla.why.charAt(0).toUpperCase() + sla.why.slice(1)}.</p>
        </details>
      ) : null}
    </>
  );
}
