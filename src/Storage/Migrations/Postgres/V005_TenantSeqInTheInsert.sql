-- The store now numbers a whole batch inside its insert statement: per tenant of the batch it advances the tenant's
-- audit_sequences row once by the batch's count (which locks that row until commit, so a tenant's numbers still
-- follow commit order across nodes) and gives the rows last_seq - count + 1 ... last_seq. The per-row trigger cost a
-- plpgsql call and a counter upsert per row, growing with the batch. It stays only for rows inserted without a
-- number (an older node during a rolling upgrade, a manual INSERT), so every row is still numbered exactly once.
DROP TRIGGER audit_events_number_per_tenant ON audit_events;

CREATE TRIGGER audit_events_number_per_tenant BEFORE INSERT ON audit_events
FOR EACH ROW WHEN (NEW.tenant_seq IS NULL) EXECUTE FUNCTION audit_events_number_per_tenant();
