-- A breach the SLA scanner records is a HOT update, and changes nothing the rollup counts (issue 20).
--
-- 1. tickets_clocks_running_idx (0013) named first_response_breached_at and resolution_breached_at
--    in its predicate and INCLUDE list, so writing either one changed an indexed column: a new
--    entry in each of the ticket's ~17 indexes (and, after a checkpoint, a full page in the WAL for
--    most of them) for every breach. The index now holds every running clock (not paused), breached
--    or not, without those columns.
-- 2. The rollup's fr_breached / res_breached now count the clocks marked breached that are not
--    running (answered, resolved or closed, or waiting on the requester). A running clock is read
--    live by the report, from that index alone: breached when past due, marked or not. (A breach
--    is only recorded past the due time, and a breached clock's due time never moves again: a
--    resume or a reopen pushes only clocks still counting, a priority change skips clocks with an
--    outcome; so a running clock marked breached is always past due.) The figures are the same;
--    the scanner's breach of a running clock changes no count, and the rollup trigger's WHEN skips
--    it: one deferred trigger call and one rollup upsert fewer per breach. Pausing and resuming move
--    a clock in or out of "running", so sla_paused_at joins the WHEN list.
CREATE OR REPLACE FUNCTION "ticket_hours_apply"(t "tickets", sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ticket_hours" AS h ("queue_key", "hour", "created", "ch_slack", "ch_teams", "ch_email", "ch_web", "ch_api", "ch_other",
      "fr_stopped", "fr_waiting", "fr_met", "fr_breached", "res_stopped", "res_waiting", "res_met", "res_breached", "reopened", "fcr")
  VALUES (t.queue_key, date_bin('1 hour', t.created_at, timestamptz '2000-01-01T00:00:00Z'), sign,
      sign * (t.origin_channel = 'slack')::int, sign * (t.origin_channel = 'teams')::int, sign * (t.origin_channel = 'email')::int,
      sign * (t.origin_channel = 'web')::int, sign * (t.origin_channel = 'api')::int,
      sign * (t.origin_channel NOT IN ('slack', 'teams', 'email', 'web', 'api'))::int,
      sign * (t.first_response_minutes IS NOT NULL)::int,
      sign * (t.first_response_at IS NULL)::int,
      sign * (t.first_response_at IS NOT NULL AND t.first_response_breached_at IS NULL AND t.first_response_due_at IS NOT NULL)::int,
      sign * (t.first_response_breached_at IS NOT NULL AND NOT (t.first_response_at IS NULL AND t.sla_paused_at IS NULL AND t.first_response_due_at IS NOT NULL))::int,
      sign * (t.resolution_minutes IS NOT NULL)::int,
      sign * (t.resolved_at IS NULL AND t.closed_at IS NULL)::int,
      sign * (t.resolved_at IS NOT NULL AND t.resolution_breached_at IS NULL AND t.resolution_due_at IS NOT NULL)::int,
      sign * (t.resolution_breached_at IS NOT NULL AND NOT (t.resolved_at IS NULL AND t.closed_at IS NULL AND t.sla_paused_at IS NULL AND t.resolution_due_at IS NOT NULL))::int,
      sign * (t.resolved_at IS NOT NULL AND t.reopen_count > 0)::int,
      sign * (t.resolved_at IS NOT NULL AND t.reopen_count = 0 AND t.agent_replies <= 1)::int)
  ON CONFLICT ("queue_key", "hour") DO UPDATE SET
    "created" = h."created" + excluded."created",
    "ch_slack" = h."ch_slack" + excluded."ch_slack", "ch_teams" = h."ch_teams" + excluded."ch_teams",
    "ch_email" = h."ch_email" + excluded."ch_email", "ch_web" = h."ch_web" + excluded."ch_web",
    "ch_api" = h."ch_api" + excluded."ch_api", "ch_other" = h."ch_other" + excluded."ch_other",
    "fr_stopped" = h."fr_stopped" + excluded."fr_stopped", "fr_waiting" = h."fr_waiting" + excluded."fr_waiting",
    "fr_met" = h."fr_met" + excluded."fr_met", "fr_breached" = h."fr_breached" + excluded."fr_breached",
    "res_stopped" = h."res_stopped" + excluded."res_stopped", "res_waiting" = h."res_waiting" + excluded."res_waiting",
    "res_met" = h."res_met" + excluded."res_met", "res_breached" = h."res_breached" + excluded."res_breached",
    "reopened" = h."reopened" + excluded."reopened", "fcr" = h."fcr" + excluded."fcr";
  IF t.resolved_at IS NOT NULL OR t.closed_at IS NOT NULL THEN
    INSERT INTO "ticket_hours" AS h ("queue_key", "hour", "resolved", "done")
    VALUES (t.queue_key, date_bin('1 hour', coalesce(t.resolved_at, t.closed_at), timestamptz '2000-01-01T00:00:00Z'),
      sign * (t.resolved_at IS NOT NULL)::int, sign)
    ON CONFLICT ("queue_key", "hour") DO UPDATE SET "resolved" = h."resolved" + excluded."resolved", "done" = h."done" + excluded."done";
  END IF;
END $$;--> statement-breakpoint
-- 0021's one-upsert path for an update that keeps the ticket in its hour and open, with the new breached counts.
CREATE OR REPLACE FUNCTION "ticket_hours_track"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.queue_key = NEW.queue_key
     AND date_bin('1 hour', OLD.created_at, timestamptz '2000-01-01T00:00:00Z') = date_bin('1 hour', NEW.created_at, timestamptz '2000-01-01T00:00:00Z')
     AND OLD.resolved_at IS NULL AND OLD.closed_at IS NULL AND NEW.resolved_at IS NULL AND NEW.closed_at IS NULL THEN
    INSERT INTO "ticket_hours" AS h ("queue_key", "hour", "ch_slack", "ch_teams", "ch_email", "ch_web", "ch_api", "ch_other", "fr_stopped", "fr_waiting", "fr_met", "fr_breached", "res_stopped", "res_waiting", "res_met", "res_breached", "reopened", "fcr")
    VALUES (NEW.queue_key, date_bin('1 hour', NEW.created_at, timestamptz '2000-01-01T00:00:00Z'),
      (NEW.origin_channel = 'slack')::int - (OLD.origin_channel = 'slack')::int,
      (NEW.origin_channel = 'teams')::int - (OLD.origin_channel = 'teams')::int,
      (NEW.origin_channel = 'email')::int - (OLD.origin_channel = 'email')::int,
      (NEW.origin_channel = 'web')::int - (OLD.origin_channel = 'web')::int,
      (NEW.origin_channel = 'api')::int - (OLD.origin_channel = 'api')::int,
      (NEW.origin_channel NOT IN ('slack', 'teams', 'email', 'web', 'api'))::int - (OLD.origin_channel NOT IN ('slack', 'teams', 'email', 'web', 'api'))::int,
      (NEW.first_response_minutes IS NOT NULL)::int - (OLD.first_response_minutes IS NOT NULL)::int,
      (NEW.first_response_at IS NULL)::int - (OLD.first_response_at IS NULL)::int,
      (NEW.first_response_at IS NOT NULL AND NEW.first_response_breached_at IS NULL AND NEW.first_response_due_at IS NOT NULL)::int - (OLD.first_response_at IS NOT NULL AND OLD.first_response_breached_at IS NULL AND OLD.first_response_due_at IS NOT NULL)::int,
      (NEW.first_response_breached_at IS NOT NULL AND NOT (NEW.first_response_at IS NULL AND NEW.sla_paused_at IS NULL AND NEW.first_response_due_at IS NOT NULL))::int - (OLD.first_response_breached_at IS NOT NULL AND NOT (OLD.first_response_at IS NULL AND OLD.sla_paused_at IS NULL AND OLD.first_response_due_at IS NOT NULL))::int,
      (NEW.resolution_minutes IS NOT NULL)::int - (OLD.resolution_minutes IS NOT NULL)::int,
      (NEW.resolved_at IS NULL AND NEW.closed_at IS NULL)::int - (OLD.resolved_at IS NULL AND OLD.closed_at IS NULL)::int,
      (NEW.resolved_at IS NOT NULL AND NEW.resolution_breached_at IS NULL AND NEW.resolution_due_at IS NOT NULL)::int - (OLD.resolved_at IS NOT NULL AND OLD.resolution_breached_at IS NULL AND OLD.resolution_due_at IS NOT NULL)::int,
      (NEW.resolution_breached_at IS NOT NULL AND NOT (NEW.resolved_at IS NULL AND NEW.closed_at IS NULL AND NEW.sla_paused_at IS NULL AND NEW.resolution_due_at IS NOT NULL))::int - (OLD.resolution_breached_at IS NOT NULL AND NOT (OLD.resolved_at IS NULL AND OLD.closed_at IS NULL AND OLD.sla_paused_at IS NULL AND OLD.resolution_due_at IS NOT NULL))::int,
      (NEW.resolved_at IS NOT NULL AND NEW.reopen_count > 0)::int - (OLD.resolved_at IS NOT NULL AND OLD.reopen_count > 0)::int,
      (NEW.resolved_at IS NOT NULL AND NEW.reopen_count = 0 AND NEW.agent_replies <= 1)::int - (OLD.resolved_at IS NOT NULL AND OLD.reopen_count = 0 AND OLD.agent_replies <= 1)::int)
    ON CONFLICT ("queue_key", "hour") DO UPDATE SET
      "ch_slack" = h."ch_slack" + excluded."ch_slack",
      "ch_teams" = h."ch_teams" + excluded."ch_teams",
      "ch_email" = h."ch_email" + excluded."ch_email",
      "ch_web" = h."ch_web" + excluded."ch_web",
      "ch_api" = h."ch_api" + excluded."ch_api",
      "ch_other" = h."ch_other" + excluded."ch_other",
      "fr_stopped" = h."fr_stopped" + excluded."fr_stopped",
      "fr_waiting" = h."fr_waiting" + excluded."fr_waiting",
      "fr_met" = h."fr_met" + excluded."fr_met",
      "fr_breached" = h."fr_breached" + excluded."fr_breached",
      "res_stopped" = h."res_stopped" + excluded."res_stopped",
      "res_waiting" = h."res_waiting" + excluded."res_waiting",
      "res_met" = h."res_met" + excluded."res_met",
      "res_breached" = h."res_breached" + excluded."res_breached",
      "reopened" = h."reopened" + excluded."reopened",
      "fcr" = h."fcr" + excluded."fcr";
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM "ticket_hours_apply"(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM "ticket_hours_apply"(NEW, 1); END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- Fires when a counted column changes, sla_paused_at now among them; a *_breached_at change alone
-- only when that clock is not running (with the other columns equal, OLD and NEW agree on that).
DROP TRIGGER IF EXISTS "ticket_hours_update" ON "tickets";--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "ticket_hours_update" AFTER UPDATE ON "tickets"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.queue_key, OLD.created_at, OLD.origin_channel, OLD.first_response_at, OLD.first_response_due_at,
         OLD.first_response_minutes, OLD.resolved_at, OLD.resolution_due_at, OLD.resolution_minutes,
         OLD.closed_at, OLD.reopen_count, OLD.agent_replies, OLD.sla_paused_at)
    IS DISTINCT FROM (NEW.queue_key, NEW.created_at, NEW.origin_channel, NEW.first_response_at, NEW.first_response_due_at,
         NEW.first_response_minutes, NEW.resolved_at, NEW.resolution_due_at, NEW.resolution_minutes,
         NEW.closed_at, NEW.reopen_count, NEW.agent_replies, NEW.sla_paused_at)
    OR (OLD.first_response_breached_at IS DISTINCT FROM NEW.first_response_breached_at AND NOT (NEW.first_response_at IS NULL AND NEW.sla_paused_at IS NULL AND NEW.first_response_due_at IS NOT NULL))
    OR (OLD.resolution_breached_at IS DISTINCT FROM NEW.resolution_breached_at AND NOT (NEW.resolved_at IS NULL AND NEW.closed_at IS NULL AND NEW.sla_paused_at IS NULL AND NEW.resolution_due_at IS NOT NULL)))
  EXECUTE FUNCTION "ticket_hours_track"();--> statement-breakpoint
CREATE OR REPLACE FUNCTION "ticket_hours_rebuild"() RETURNS void LANGUAGE sql AS $$
DELETE FROM "ticket_hours";
INSERT INTO "ticket_hours" ("queue_key", "hour", "created", "ch_slack", "ch_teams", "ch_email", "ch_web", "ch_api", "ch_other",
    "fr_stopped", "fr_waiting", "fr_met", "fr_breached", "res_stopped", "res_waiting", "res_met", "res_breached", "reopened", "fcr", "resolved", "done")
SELECT "queue_key", "hour", sum("created"), sum("ch_slack"), sum("ch_teams"), sum("ch_email"), sum("ch_web"), sum("ch_api"), sum("ch_other"),
    sum("fr_stopped"), sum("fr_waiting"), sum("fr_met"), sum("fr_breached"), sum("res_stopped"), sum("res_waiting"), sum("res_met"), sum("res_breached"),
    sum("reopened"), sum("fcr"), sum("resolved"), sum("done")
FROM (
  SELECT t.queue_key, date_bin('1 hour', t.created_at, timestamptz '2000-01-01T00:00:00Z') AS "hour", 1 AS "created",
      (t.origin_channel = 'slack')::int AS "ch_slack", (t.origin_channel = 'teams')::int AS "ch_teams", (t.origin_channel = 'email')::int AS "ch_email",
      (t.origin_channel = 'web')::int AS "ch_web", (t.origin_channel = 'api')::int AS "ch_api",
      (t.origin_channel NOT IN ('slack', 'teams', 'email', 'web', 'api'))::int AS "ch_other",
      (t.first_response_minutes IS NOT NULL)::int AS "fr_stopped",
      (t.first_response_at IS NULL)::int AS "fr_waiting",
      (t.first_response_at IS NOT NULL AND t.first_response_breached_at IS NULL AND t.first_response_due_at IS NOT NULL)::int AS "fr_met",
      (t.first_response_breached_at IS NOT NULL AND NOT (t.first_response_at IS NULL AND t.sla_paused_at IS NULL AND t.first_response_due_at IS NOT NULL))::int AS "fr_breached",
      (t.resolution_minutes IS NOT NULL)::int AS "res_stopped",
      (t.resolved_at IS NULL AND t.closed_at IS NULL)::int AS "res_waiting",
      (t.resolved_at IS NOT NULL AND t.resolution_breached_at IS NULL AND t.resolution_due_at IS NOT NULL)::int AS "res_met",
      (t.resolution_breached_at IS NOT NULL AND NOT (t.resolved_at IS NULL AND t.closed_at IS NULL AND t.sla_paused_at IS NULL AND t.resolution_due_at IS NOT NULL))::int AS "res_breached",
      (t.resolved_at IS NOT NULL AND t.reopen_count > 0)::int AS "reopened",
      (t.resolved_at IS NOT NULL AND t.reopen_count = 0 AND t.agent_replies <= 1)::int AS "fcr",
      0 AS "resolved", 0 AS "done"
  FROM "tickets" t
  UNION ALL
  SELECT t.queue_key, date_bin('1 hour', coalesce(t.resolved_at, t.closed_at), timestamptz '2000-01-01T00:00:00Z'),
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (t.resolved_at IS NOT NULL)::int, 1
  FROM "tickets" t WHERE t.resolved_at IS NOT NULL OR t.closed_at IS NOT NULL
) parts
GROUP BY "queue_key", "hour";
$$;--> statement-breakpoint
SELECT "ticket_hours_rebuild"();--> statement-breakpoint
DROP INDEX IF EXISTS "tickets_clocks_running_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "tickets_clocks_running_idx" ON "tickets" USING btree ("queue_key","created_at")
  INCLUDE ("first_response_at","first_response_due_at","resolved_at","closed_at","resolution_due_at")
  WHERE "sla_paused_at" IS NULL AND ("first_response_at" IS NULL OR ("resolved_at" IS NULL AND "closed_at" IS NULL));
