-- Approvals (issue 16): a request type's steps, the queue's survey and follow-up settings (from the
-- catalog), the ticket's approval snapshot (what every reader shows), and one row per step of a
-- ticket: who approves, its state, and when the scanner must remind.
ALTER TABLE "request_types" ADD COLUMN "approvals" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "queues" ADD COLUMN "satisfaction" jsonb;--> statement-breakpoint
ALTER TABLE "queues" ADD COLUMN "follow_up" jsonb;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "approvals" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE TABLE "approval_steps" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"ticket_id" integer NOT NULL REFERENCES "tickets"("id"),
	"step" integer NOT NULL,
	"rule" text NOT NULL,
	"approver_id" integer REFERENCES "people"("id"),
	"fallback_reason" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"requested_at" timestamp with time zone,
	"reminders" integer DEFAULT 0 NOT NULL,
	"next_reminder_at" timestamp with time zone,
	"leads_told_at" timestamp with time zone,
	"decided_by" integer REFERENCES "people"("id"),
	"decided_at" timestamp with time zone,
	"decided_channel" text,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "approval_steps_ticket_step_uq" ON "approval_steps" USING btree ("ticket_id","step");--> statement-breakpoint
CREATE INDEX "approval_steps_approver_idx" ON "approval_steps" USING btree ("approver_id","state");--> statement-breakpoint
CREATE INDEX "approval_steps_reminder_idx" ON "approval_steps" USING btree ("next_reminder_at") WHERE "approval_steps"."next_reminder_at" is not null;
