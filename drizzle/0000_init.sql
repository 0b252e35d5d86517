CREATE TABLE "attribute_definitions" (
	"name" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"personal_data" boolean DEFAULT true NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"constraints" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "attribute_definitions_type_check" CHECK ("attribute_definitions"."type" in ('STRING', 'INTEGER', 'NUMBER', 'BOOLEAN', 'DATE', 'PHONE_NUMBER', 'LOCALE'))
);
--> statement-breakpoint
CREATE TABLE "consent_purposes" (
	"key" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consent_records" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "consent_records_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"customer_id" uuid NOT NULL,
	"purpose_key" text NOT NULL,
	"purpose_version" integer NOT NULL,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"actor" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "consent_records_status_check" CHECK ("consent_records"."status" in ('GRANTED', 'WITHDRAWN'))
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"customer_id" uuid NOT NULL,
	"purpose_key" text NOT NULL,
	"purpose_version" integer NOT NULL,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"granted_at" timestamp (3) with time zone,
	"withdrawn_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "consents_customer_id_purpose_key_pk" PRIMARY KEY("customer_id","purpose_key"),
	CONSTRAINT "consents_status_check" CHECK ("consents"."status" in ('GRANTED', 'WITHDRAWN'))
);
--> statement-breakpoint
CREATE TABLE "credentials" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "credentials_customer_kind_key" UNIQUE("customer_id","kind")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"phone_number" text,
	"phone_number_verified" boolean DEFAULT false NOT NULL,
	"given_name" text,
	"family_name" text,
	"locale" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"anonymous_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "customers_status_check" CHECK ("customers"."status" in ('LIGHT', 'REGISTERED', 'DISABLED', 'DELETED'))
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tx_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"customer_id" uuid,
	"type" text NOT NULL,
	"changed_fields" text[] NOT NULL,
	"actor" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_purpose_key_consent_purposes_key_fk" FOREIGN KEY ("purpose_key") REFERENCES "public"."consent_purposes"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_purpose_key_consent_purposes_key_fk" FOREIGN KEY ("purpose_key") REFERENCES "public"."consent_purposes"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consent_records_customer_idx" ON "consent_records" USING btree ("customer_id","id");--> statement-breakpoint
CREATE INDEX "consents_purpose_status_idx" ON "consents" USING btree ("purpose_key","status");--> statement-breakpoint
CREATE INDEX "credentials_customer_idx" ON "credentials" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_email_lower_key" ON "customers" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "customers_created_id_idx" ON "customers" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "customers_updated_idx" ON "customers" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "customers_status_idx" ON "customers" USING btree ("status");--> statement-breakpoint
CREATE INDEX "customers_attributes_gin" ON "customers" USING gin ("attributes");--> statement-breakpoint
CREATE INDEX "customers_anonymous_ids_gin" ON "customers" USING gin ("anonymous_ids");--> statement-breakpoint
CREATE INDEX "events_position_idx" ON "events" USING btree ("tx_id","id");--> statement-breakpoint
CREATE INDEX "events_customer_position_idx" ON "events" USING btree ("customer_id","tx_id","id");