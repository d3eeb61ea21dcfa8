-- Slack events are acknowledged before their work runs (Slack's 3-second window), so Slack will
-- not redeliver an event whose work failed or whose process died after the 200. The claim now
-- keeps the event itself until its work is done: a failed attempt is retried with backoff, and a
-- claim left by a dead process is picked up when its lease runs out, by any replica (issue 20).
ALTER TABLE "inbound_events" ADD COLUMN "body" jsonb;--> statement-breakpoint
ALTER TABLE "inbound_events" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_events" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inbound_events" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "inbound_events" ADD COLUMN "done_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "inbound_events_redo_idx" ON "inbound_events" USING btree ("next_attempt_at") WHERE "inbound_events"."body" is not null and "inbound_events"."done_at" is null;
