CREATE TABLE "kith_instances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seen_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
-- Every change that can end a token's validity is announced on the channel kith_principal_changes when
-- its transaction commits, whatever code path made it. Each Kith process drops what it cached of that
-- principal (src/store/principal-changes.ts). Payload: '<kind>:<id>'.
CREATE FUNCTION "kith_announce_principal_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- OLD names what a process may have cached, for updates and deletes alike. Clients are cached by
	-- client_id, everything else by id; each branch is prepared only when it runs.
	IF TG_ARGV[0] = 'client' THEN
		PERFORM pg_notify('kith_principal_changes', 'client:' || OLD.client_id);
	ELSE
		PERFORM pg_notify('kith_principal_changes', TG_ARGV[0] || ':' || OLD.id::text);
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "sessions_announce_revocation" AFTER UPDATE ON "sessions" FOR EACH ROW
	WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
	EXECUTE FUNCTION "kith_announce_principal_change"('session');
--> statement-breakpoint
CREATE TRIGGER "sessions_announce_removal" AFTER DELETE ON "sessions" FOR EACH ROW
	EXECUTE FUNCTION "kith_announce_principal_change"('session');
--> statement-breakpoint
CREATE TRIGGER "customers_announce_status" AFTER UPDATE ON "customers" FOR EACH ROW
	WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION "kith_announce_principal_change"('customer');
--> statement-breakpoint
CREATE TRIGGER "customers_announce_removal" AFTER DELETE ON "customers" FOR EACH ROW
	EXECUTE FUNCTION "kith_announce_principal_change"('customer');
--> statement-breakpoint
CREATE TRIGGER "staff_members_announce_change" AFTER UPDATE ON "staff_members" FOR EACH ROW
	WHEN ((OLD.role, OLD.disabled_at, OLD.token_version) IS DISTINCT FROM (NEW.role, NEW.disabled_at, NEW.token_version))
	EXECUTE FUNCTION "kith_announce_principal_change"('staff');
--> statement-breakpoint
CREATE TRIGGER "staff_members_announce_removal" AFTER DELETE ON "staff_members" FOR EACH ROW
	EXECUTE FUNCTION "kith_announce_principal_change"('staff');
--> statement-breakpoint
CREATE TRIGGER "service_clients_announce_change" AFTER UPDATE ON "service_clients" FOR EACH ROW
	WHEN ((OLD.client_id, OLD.disabled_at, OLD.token_version, OLD.scopes, OLD.purpose_key) IS DISTINCT FROM (NEW.client_id, NEW.disabled_at, NEW.token_version, NEW.scopes, NEW.purpose_key))
	EXECUTE FUNCTION "kith_announce_principal_change"('client');
--> statement-breakpoint
CREATE TRIGGER "service_clients_announce_removal" AFTER DELETE ON "service_clients" FOR EACH ROW
	EXECUTE FUNCTION "kith_announce_principal_change"('client');
