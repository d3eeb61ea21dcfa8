-- Satisfaction surveys and follow-ups (issue 16). One survey per ticket (asked on resolve, or
-- answered unasked from the web page or the API); the ticket keeps a snapshot of the rating for
-- readers, and the instant its next follow-up (a nudge, an auto-resolve, an auto-close) is due.
ALTER TABLE "tickets" ADD COLUMN "satisfaction" jsonb;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "follow_up_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "follow_up_step" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "tickets_follow_up_idx" ON "tickets" USING btree ("follow_up_at") WHERE "tickets"."follow_up_at" is not null;--> statement-breakpoint
CREATE TABLE "satisfaction_surveys" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"ticket_id" integer NOT NULL REFERENCES "tickets"("id"),
	"queue_key" text NOT NULL,
	"requester_id" integer NOT NULL REFERENCES "people"("id"),
	"agent_id" integer REFERENCES "people"("id"),
	"channel" text NOT NULL,
	"asked_at" timestamp with time zone,
	"rating" integer,
	"comment" text,
	"rated_at" timestamp with time zone,
	"rated_channel" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "satisfaction_rating_range" CHECK ("rating" between 1 and 5)
);--> statement-breakpoint
CREATE UNIQUE INDEX "satisfaction_surveys_ticket_uq" ON "satisfaction_surveys" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "satisfaction_surveys_queue_asked_idx" ON "satisfaction_surveys" USING btree ("queue_key","asked_at");--> statement-breakpoint
CREATE INDEX "satisfaction_surveys_requester_idx" ON "satisfaction_surveys" USING btree ("requester_id","queue_key","asked_at");
