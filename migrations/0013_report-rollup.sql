-- The overview report at a million tickets (issue 18). Counts come from a rollup per queue and
-- UTC hour kept exact by triggers (deferred to commit, so no lock is held through a command);
-- percentiles, which need every value, from an index-only scan of (queue, created_at) carrying
-- the two duration columns.
CREATE TABLE IF NOT EXISTS "ticket_hours" (
  "queue_key" text NOT NULL,
  "hour" timestamp with time zone NOT NULL,
  "created" integer DEFAULT 0 NOT NULL,
  "ch_slack" integer DEFAULT 0 NOT NULL,
  "ch_teams" integer DEFAULT 0 NOT NULL,
  "ch_email" integer DEFAULT 0 NOT NULL,
  "ch_web" integer DEFAULT 0 NOT NULL,
  "ch_api" integer DEFAULT 0 NOT NULL,
  "ch_other" integer DEFAULT 0 NOT NULL,
  "fr_stopped" integer DEFAULT 0 NOT NULL,
  "fr_waiting" integer DEFAULT 0 NOT NULL,
  "fr_met" integer DEFAULT 0 NOT NULL,
  "fr_breached" integer DEFAULT 0 NOT NULL,
  "res_stopped" integer DEFAULT 0 NOT NULL,
  "res_waiting" integer DEFAULT 0 NOT NULL,
  "res_met" integer DEFAULT 0 NOT NULL,
  "res_breached" integer DEFAULT 0 NOT NULL,
  "reopened" integer DEFAULT 0 NOT NULL,
  "fcr" integer DEFAULT 0 NOT NULL,
  "resolved" integer DEFAULT 0 NOT NULL,
  "done" integer DEFAULT 0 NOT NULL,
  CONSTRAINT "ticket_hours_pk" PRIMARY KEY ("queue_key", "hour")
);--> statement-breakpoint
-- One ticket's share of the rollup, times `sign` (+1 add, -1 take back). By the hour it was
-- created: arrivals by channel and the clock verdicts that do not depend on the time of asking
-- (a clock past due but not marked yet is counted at read time). By the hour it was done
-- (resolved, or closed without resolving): resolved and done.
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
      sign * (t.first_response_breached_at IS NOT NULL)::int,
      sign * (t.resolution_minutes IS NOT NULL)::int,
      sign * (t.resolved_at IS NULL AND t.closed_at IS NULL)::int,
      sign * (t.resolved_at IS NOT NULL AND t.resolution_breached_at IS NULL AND t.resolution_due_at IS NOT NULL)::int,
      sign * (t.resolution_breached_at IS NOT NULL)::int,
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
CREATE OR REPLACE FUNCTION "ticket_hours_track"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM "ticket_hours_apply"(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM "ticket_hours_apply"(NEW, 1); END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- Deferred to commit: the rollup row of a busy hour is locked for the moment of the commit,
-- not for the whole command that created or changed the ticket. Updates that change nothing
-- the rollup counts (title, assignee, next SLA check...) do not fire.
DROP TRIGGER IF EXISTS "ticket_hours_insert_delete" ON "tickets";--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "ticket_hours_insert_delete" AFTER INSERT OR DELETE ON "tickets"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "ticket_hours_track"();--> statement-breakpoint
DROP TRIGGER IF EXISTS "ticket_hours_update" ON "tickets";--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "ticket_hours_update" AFTER UPDATE ON "tickets"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.queue_key, OLD.created_at, OLD.origin_channel, OLD.first_response_at, OLD.first_response_due_at, OLD.first_response_breached_at,
         OLD.first_response_minutes, OLD.resolved_at, OLD.resolution_due_at, OLD.resolution_breached_at, OLD.resolution_minutes,
         OLD.closed_at, OLD.reopen_count, OLD.agent_replies)
    IS DISTINCT FROM (NEW.queue_key, NEW.created_at, NEW.origin_channel, NEW.first_response_at, NEW.first_response_due_at, NEW.first_response_breached_at,
         NEW.first_response_minutes, NEW.resolved_at, NEW.resolution_due_at, NEW.resolution_breached_at, NEW.resolution_minutes,
         NEW.closed_at, NEW.reopen_count, NEW.agent_replies))
  EXECUTE FUNCTION "ticket_hours_track"();--> statement-breakpoint
-- The whole rollup recomputed from the tickets in one pass: for the tickets that exist already
-- (below), and after a bulk load done with the triggers off. The triggers keep it from there on.
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
      (t.first_response_breached_at IS NOT NULL)::int AS "fr_breached",
      (t.resolution_minutes IS NOT NULL)::int AS "res_stopped",
      (t.resolved_at IS NULL AND t.closed_at IS NULL)::int AS "res_waiting",
      (t.resolved_at IS NOT NULL AND t.resolution_breached_at IS NULL AND t.resolution_due_at IS NOT NULL)::int AS "res_met",
      (t.resolution_breached_at IS NOT NULL)::int AS "res_breached",
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
-- Percentiles: every duration of a range read from the index alone (same key as before).
DROP INDEX IF EXISTS "tickets_queue_created_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "tickets_queue_created_idx" ON "tickets" USING btree ("queue_key","created_at") INCLUDE ("first_response_minutes","resolution_minutes");--> statement-breakpoint
-- Clocks that may be past due without a verdict yet: the few tickets the report reads live.
CREATE INDEX IF NOT EXISTS "tickets_clocks_running_idx" ON "tickets" USING btree ("queue_key","created_at")
  INCLUDE ("first_response_at","first_response_breached_at","first_response_due_at","resolved_at","closed_at","resolution_breached_at","resolution_due_at")
  WHERE "sla_paused_at" IS NULL AND (("first_response_at" IS NULL AND "first_response_breached_at" IS NULL) OR ("resolved_at" IS NULL AND "closed_at" IS NULL AND "resolution_breached_at" IS NULL));--> statement-breakpoint
-- Open at the start of a range: open tickets by creation, and resolved ones carrying created_at.
CREATE INDEX IF NOT EXISTS "tickets_open_created_idx" ON "tickets" USING btree ("queue_key","created_at") WHERE "status" NOT IN ('resolved', 'closed');--> statement-breakpoint
DROP INDEX IF EXISTS "tickets_queue_resolved_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "tickets_queue_resolved_idx" ON "tickets" USING btree ("queue_key","resolved_at") INCLUDE ("created_at") WHERE "resolved_at" IS NOT NULL;
