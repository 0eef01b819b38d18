-- Audit ids per tenant: a tenant's events are numbered 1, 2, 3... by tenant_seq, so the ids and cursors a tenant sees
-- say nothing about how many decisions other tenants made in between (the global id stays internal).
ALTER TABLE audit_events ADD COLUMN tenant_seq bigint NULL;

UPDATE audit_events e SET tenant_seq = numbered.n
FROM (SELECT id, row_number() OVER (PARTITION BY tenant ORDER BY id) AS n FROM audit_events) numbered
WHERE e.id = numbered.id;

CREATE UNIQUE INDEX audit_events_tenant_seq ON audit_events (tenant, tenant_seq);

-- The last number given to each tenant. Taking the next one locks the tenant's row until the inserting transaction
-- commits, so a tenant's numbers are given in commit order and a cursor never skips one that commits late.
CREATE TABLE audit_sequences (
    tenant text PRIMARY KEY,
    last_seq bigint NOT NULL
);

INSERT INTO audit_sequences (tenant, last_seq)
SELECT tenant, MAX(tenant_seq) FROM audit_events GROUP BY tenant;

CREATE FUNCTION audit_events_number_per_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_sequences AS s (tenant, last_seq) VALUES (NEW.tenant, 1)
    ON CONFLICT (tenant) DO UPDATE SET last_seq = s.last_seq + 1
    RETURNING s.last_seq INTO NEW.tenant_seq;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_events_number_per_tenant BEFORE INSERT ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_number_per_tenant();
