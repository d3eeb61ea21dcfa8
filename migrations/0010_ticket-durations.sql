ALTER TABLE "tickets" ADD COLUMN "first_response_minutes" real;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "resolution_minutes" real;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "reopen_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "agent_replies" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "durations_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "tickets" t SET
  "durations_pending" = (t."first_response_at" IS NOT NULL OR t."resolved_at" IS NOT NULL),
  "reopen_count" = (SELECT count(*) FROM "ticket_events" e WHERE e."ticket_id" = t."id" AND e."type" = 'status_changed' AND e."data"->>'from' = 'resolved' AND e."data"->>'to' NOT IN ('closed', 'resolved')),
  "agent_replies" = (SELECT count(*) FROM "ticket_events" e WHERE e."ticket_id" = t."id" AND e."type" = 'comment' AND e."visibility" = 'public' AND e."actor_role" = 'agent');--> statement-breakpoint
CREATE INDEX "tickets_durations_pending_idx" ON "tickets" USING btree ("id") WHERE "durations_pending";--> statement-breakpoint
CREATE INDEX "tickets_queue_resolved_idx" ON "tickets" USING btree ("queue_key","resolved_at") WHERE "resolved_at" IS NOT NULL;
