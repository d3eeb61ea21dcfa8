-- Deliveries are looked up by event only once sent (the message a card refresh or an approval
-- edit finds again). Indexing only the sent ones spares every new delivery, and every claim of
-- one, an entry in this index: a delivery's life (insert, claim, record) writes 8 index entries
-- instead of 10 (issue 20).
DROP INDEX IF EXISTS "deliveries_event_idx";--> statement-breakpoint
CREATE INDEX "deliveries_event_idx" ON "deliveries" USING btree ("event_id") WHERE "deliveries"."status" = 'sent';
