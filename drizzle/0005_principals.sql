CREATE TABLE "service_clients" (
	"id" uuid PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"purpose_key" text,
	"token_version" integer DEFAULT 0 NOT NULL,
	"disabled_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "service_clients_client_id_unique" UNIQUE("client_id")
);
--> statement-breakpoint
CREATE TABLE "staff_members" (
	"id" uuid PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"lockouts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp (3) with time zone,
	"token_version" integer DEFAULT 0 NOT NULL,
	"disabled_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "staff_members_role_check" CHECK ("staff_members"."role" in ('AGENT', 'ADMIN'))
);
--> statement-breakpoint
ALTER TABLE "service_clients" ADD CONSTRAINT "service_clients_purpose_key_consent_purposes_key_fk" FOREIGN KEY ("purpose_key") REFERENCES "public"."consent_purposes"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "service_clients_purpose_idx" ON "service_clients" USING btree ("purpose_key");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_members_email_key" ON "staff_members" USING btree (lower("email"));