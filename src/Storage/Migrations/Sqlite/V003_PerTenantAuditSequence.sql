-- Audit ids per tenant: a tenant's events are numbered 1, 2, 3... by tenant_seq, so the ids and cursors a tenant sees
-- say nothing about how many decisions other tenants made in between (the global id stays internal).
ALTER TABLE audit_events ADD COLUMN tenant_seq INTEGER NULL;

UPDATE audit_events SET tenant_seq = (
    SELECT COUNT(*) FROM audit_events earlier WHERE earlier.tenant = audit_events.tenant AND earlier.id <= audit_events.id);

CREATE UNIQUE INDEX audit_events_tenant_seq ON audit_events (tenant, tenant_seq);

-- Writes are serialised (one writer), so MAX + 1 is the next number of the tenant; rows of one INSERT are numbered in
-- insertion order.
CREATE TRIGGER audit_events_number_per_tenant AFTER INSERT ON audit_events FOR EACH ROW WHEN NEW.tenant_seq IS NULL
BEGIN
    UPDATE audit_events
    SET tenant_seq = (SELECT COALESCE(MAX(tenant_seq), 0) + 1 FROM audit_events WHERE tenant = NEW.tenant)
    WHERE id = NEW.id;
END;
