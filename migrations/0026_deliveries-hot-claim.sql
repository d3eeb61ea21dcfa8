-- A claim no longer writes an index entry (issue 20). It used to move a delivery's status
-- (pending → sending, a column of every partial index's predicate) and its next_attempt_at (the
-- due index's key) to the lease expiry: a non-HOT update, so every claimed row got a new entry in
-- the primary key, the due index and the lane index, as many again as its insert. Now the indexes
-- see the status only through phase ('open' for pending and sending, then 'sent' or 'dead'), and
-- the lease has a column of its own, in no index: a claim changes no indexed value, and with room
-- left on the page (fillfactor 50) its new version is a heap-only tuple. A claimed row stays in
-- the due range; the claim skips it while leased_until is ahead.
ALTER TABLE "deliveries" SET (fillfactor = 50);--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "leased_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "phase" text GENERATED ALWAYS AS (case when status in ('pending', 'sending') then 'open' else status end) STORED NOT NULL;--> statement-breakpoint
-- A delivery in flight while this runs keeps its lease: that was its next_attempt_at.
UPDATE "deliveries" SET "leased_until" = "next_attempt_at" WHERE "status" = 'sending';--> statement-breakpoint
DROP INDEX IF EXISTS "deliveries_due_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "deliveries_dead_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "deliveries_event_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "deliveries_lane_idx";--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE "deliveries"."phase" = 'open';--> statement-breakpoint
CREATE INDEX "deliveries_dead_idx" ON "deliveries" USING btree ("id") WHERE "deliveries"."phase" = 'dead';--> statement-breakpoint
CREATE INDEX "deliveries_event_idx" ON "deliveries" USING btree ("event_id") WHERE "deliveries"."phase" = 'sent';--> statement-breakpoint
CREATE INDEX "deliveries_lane_idx" ON "deliveries" USING btree ("ticket_id","lane","id") WHERE "deliveries"."phase" = 'open';
