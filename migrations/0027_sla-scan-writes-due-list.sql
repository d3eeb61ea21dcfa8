-- The SLA scanner's batch costs what it writes (issue 20). Two kinds of work per due ticket that
-- protected nothing are gone, and one index entry per event.
--
-- 1. The outbox's foreign keys. Each delivery row ran a check per reference (an executor started
--    for SELECT … FOR KEY SHARE on the parent, which for its event also locks the row it just
--    inserted): a fifth of Postgres's time in a scanner pass, and a quarter of it after the other
--    changes here. A delivery is written only in the transaction of its event (appendEvent, the
--    scanner), so event_id and ticket_id (the event's own) always name rows that exist; events and
--    tickets are never deleted, and neither are people (a person leaving is deactivated) or anchors
--    (one goes stale in place), so person_id and anchor_id always point at a row too.
ALTER TABLE "deliveries" DROP CONSTRAINT IF EXISTS "deliveries_event_id_ticket_events_id_fk";--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT IF EXISTS "deliveries_ticket_id_tickets_id_fk";--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT IF EXISTS "deliveries_person_id_people_id_fk";--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT IF EXISTS "deliveries_anchor_id_anchors_id_fk";--> statement-breakpoint
-- 2. The due list's copy of every update of tickets. The statement trigger of 0021 captured the old
--    and the new version of every row of every UPDATE of tickets (a title, an assignee, a reply) to
--    find the few whose next check moved. Now a row trigger fires only for those, and not for the
--    scanner's own batch update, which moves the due-list rows itself in the same transaction and
--    says so with the transaction-local setting switchboard.due_list = 'written'.
--    tickets.next_sla_check_at stays the truth every writer sets.
DROP TRIGGER IF EXISTS "ticket_sla_checks_update" ON "tickets";--> statement-breakpoint
DROP FUNCTION IF EXISTS "ticket_sla_checks_updated"();--> statement-breakpoint
CREATE OR REPLACE FUNCTION "ticket_sla_check_moved"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."next_sla_check_at" IS NULL THEN
    DELETE FROM "ticket_sla_checks" WHERE "ticket_id" = NEW."id";
  ELSE
    INSERT INTO "ticket_sla_checks" ("ticket_id", "next_check_at") VALUES (NEW."id", NEW."next_sla_check_at")
    ON CONFLICT ("ticket_id") DO UPDATE SET "next_check_at" = excluded."next_check_at";
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "ticket_sla_check_moved" AFTER UPDATE OF "next_sla_check_at" ON "tickets"
  FOR EACH ROW
  WHEN (OLD."next_sla_check_at" IS DISTINCT FROM NEW."next_sla_check_at"
        AND coalesce(current_setting('switchboard.due_list', true), '') <> 'written')
  EXECUTE FUNCTION "ticket_sla_check_moved"();
--> statement-breakpoint
-- 3. One index entry fewer per event: most events (the scanner's, the system's) carry no
--    idempotency key, and a null key in the unique index was an entry no lookup asks for.
--    Built beside the old one, then swapped, so the key stays unique throughout.
CREATE UNIQUE INDEX IF NOT EXISTS "ticket_events_idempotency_uq_partial" ON "ticket_events" USING btree ("idempotency_key") WHERE "idempotency_key" IS NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS "ticket_events_idempotency_uq";--> statement-breakpoint
ALTER INDEX "ticket_events_idempotency_uq_partial" RENAME TO "ticket_events_idempotency_uq";
