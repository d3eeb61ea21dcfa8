-- The claim reads due deliveries in next_attempt_at order among those still to send (pending, or
-- 'sending' with a lease run out): one partial index on exactly that. Rows that are sent or dead
-- leave it, so its scan no longer walks the versions of every delivery ever sent, and a delivery's
-- move to 'sent' writes one index entry fewer. Dead letters have an index of their own (listed newest first).
DROP INDEX IF EXISTS "deliveries_claim_idx";--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE "deliveries"."status" in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "deliveries_dead_idx" ON "deliveries" USING btree ("id") WHERE "deliveries"."status" = 'dead';
