CREATE TABLE "kb_feedback" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"slug" text NOT NULL,
	"channel" text NOT NULL,
	"event" text NOT NULL,
	"email" text,
	"query" text DEFAULT '' NOT NULL,
	"dedupe_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "kb_feedback_dedupe_uq" ON "kb_feedback" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "kb_feedback_slug_idx" ON "kb_feedback" USING btree ("slug","channel","event");
