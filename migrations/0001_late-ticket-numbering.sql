DROP INDEX "tickets_queue_number_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_queue_number_uq" ON "tickets" USING btree ("queue_key","number") WHERE "tickets"."number" > 0;