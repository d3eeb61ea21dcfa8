-- The SLA scanner's due list in a narrow table (issue 20): one row per ticket with a pending SLA
-- check, indexed by when. tickets.next_sla_check_at stays the truth every writer sets; the
-- triggers below copy it here in the same statement, set-wise. Without an index on the wide
-- row's next_sla_check_at (or on its *_warned_at), the scanner's update of a warned ticket
-- changes no indexed column and is a HOT update: one heap tuple instead of a new entry in each
-- of the ticket's ~20 indexes. fillfactor leaves room on the page for that new tuple.
CREATE TABLE IF NOT EXISTS "ticket_sla_checks" (
	"ticket_id" integer PRIMARY KEY NOT NULL REFERENCES "tickets"("id") ON DELETE CASCADE,
	"next_check_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ticket_sla_checks_due_idx" ON "ticket_sla_checks" USING btree ("next_check_at");--> statement-breakpoint
INSERT INTO "ticket_sla_checks" ("ticket_id", "next_check_at")
SELECT "id", "next_sla_check_at" FROM "tickets" WHERE "next_sla_check_at" IS NOT NULL
ON CONFLICT ("ticket_id") DO UPDATE SET "next_check_at" = excluded."next_check_at";--> statement-breakpoint
CREATE OR REPLACE FUNCTION "ticket_sla_checks_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ticket_sla_checks" ("ticket_id", "next_check_at")
  SELECT n."id", n."next_sla_check_at" FROM "new_rows" n WHERE n."next_sla_check_at" IS NOT NULL;
  RETURN NULL;
END $$;--> statement-breakpoint
-- Only the rows whose next check moved: an update that leaves it alone writes nothing here.
CREATE OR REPLACE FUNCTION "ticket_sla_checks_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH "moved" AS (
    SELECT n."id", n."next_sla_check_at" AS "at" FROM "new_rows" n JOIN "old_rows" o ON o."id" = n."id"
    WHERE n."next_sla_check_at" IS DISTINCT FROM o."next_sla_check_at"
  ), "gone" AS (
    DELETE FROM "ticket_sla_checks" c USING "moved" m WHERE c."ticket_id" = m."id" AND m."at" IS NULL
  )
  INSERT INTO "ticket_sla_checks" ("ticket_id", "next_check_at")
  SELECT m."id", m."at" FROM "moved" m WHERE m."at" IS NOT NULL
  ON CONFLICT ("ticket_id") DO UPDATE SET "next_check_at" = excluded."next_check_at";
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER IF EXISTS "ticket_sla_checks_insert" ON "tickets";--> statement-breakpoint
CREATE TRIGGER "ticket_sla_checks_insert" AFTER INSERT ON "tickets"
  REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "ticket_sla_checks_inserted"();--> statement-breakpoint
DROP TRIGGER IF EXISTS "ticket_sla_checks_update" ON "tickets";--> statement-breakpoint
CREATE TRIGGER "ticket_sla_checks_update" AFTER UPDATE ON "tickets"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "ticket_sla_checks_updated"();--> statement-breakpoint
-- The rollup (0013) for an update that keeps a ticket in its creation hour and leaves it open on
-- both sides (a breach the scanner records, a first response, a priority change): one upsert of
-- the difference of each count instead of taking the ticket's share back and adding it again, two
-- upserts of the same row. Every other update goes the way 0013 wrote it.
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
      (NEW.first_response_breached_at IS NOT NULL)::int - (OLD.first_response_breached_at IS NOT NULL)::int,
      (NEW.resolution_minutes IS NOT NULL)::int - (OLD.resolution_minutes IS NOT NULL)::int,
      (NEW.resolved_at IS NULL AND NEW.closed_at IS NULL)::int - (OLD.resolved_at IS NULL AND OLD.closed_at IS NULL)::int,
      (NEW.resolved_at IS NOT NULL AND NEW.resolution_breached_at IS NULL AND NEW.resolution_due_at IS NOT NULL)::int - (OLD.resolved_at IS NOT NULL AND OLD.resolution_breached_at IS NULL AND OLD.resolution_due_at IS NOT NULL)::int,
      (NEW.resolution_breached_at IS NOT NULL)::int - (OLD.resolution_breached_at IS NOT NULL)::int,
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
DROP INDEX IF EXISTS "tickets_sla_check_idx";--> statement-breakpoint
ALTER TABLE "tickets" SET (fillfactor = 90);
