/**
 * The one way a page says how the last action went: a status line for what worked, an alert
 * for what did not (sign-in, the requester's page, the agent workspace).
 */
export function Flash({ ok, error }: { ok?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {ok ? (
        <div class="notice ok" role="status">
          {ok}
        </div>
      ) : null}
      {error ? (
        <div class="error-summary" role="alert">
          <p>{error}</p>
        </div>
      ) : null}
    </>
  );
}
