ALTER TABLE "people" ADD COLUMN "scim_id" text;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "scim" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "people_scim_id_uq" ON "people" USING btree ("scim_id");--> statement-breakpoint
CREATE TABLE "directory_groups" (
	"id" text PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"external_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "directory_groups_name_uq" ON "directory_groups" USING btree ("display_name");--> statement-breakpoint
CREATE TABLE "directory_group_members" (
	"group_id" text NOT NULL REFERENCES "directory_groups"("id") ON DELETE CASCADE,
	"person_id" integer NOT NULL REFERENCES "people"("id"),
	CONSTRAINT "directory_group_members_pk" PRIMARY KEY ("group_id","person_id")
);--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"token_hash" text NOT NULL,
	"person_id" integer NOT NULL REFERENCES "people"("id"),
	"method" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_uq" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE TABLE "sign_in_links" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	"token_hash" text NOT NULL,
	"person_id" integer NOT NULL REFERENCES "people"("id"),
	"delivery_id" bigint,
	"next" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);--> statement-breakpoint
CREATE UNIQUE INDEX "sign_in_links_token_uq" ON "sign_in_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sign_in_links_delivery_idx" ON "sign_in_links" USING btree ("delivery_id");--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "event_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "ticket_id" DROP NOT NULL;
