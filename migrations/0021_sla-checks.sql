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
DROP INDEX IF EXISTS "tickets_sla_check_idx";--> statement-breakpoint
ALTER TABLE "tickets" SET (fillfactor = 90);
