ALTER TABLE "people" ADD COLUMN "away" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "desk_roles" ADD COLUMN "position" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE TABLE "queue_assignment" (
	"queue_key" text PRIMARY KEY NOT NULL,
	"last_person_id" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
