-- The store now numbers a whole batch itself: under the single writer it reads each tenant's MAX(tenant_seq) once per
-- batch and inserts the rows with their numbers, so the V003 trigger (WHEN NEW.tenant_seq IS NULL) no longer fires for
-- them and each row is written once instead of inserted and then updated. The trigger stays for rows inserted
-- without a number (an older node during a rolling upgrade, a manual INSERT). No schema change is needed; this
-- migration records the change of writer so both stores keep the same migration numbers.
SELECT 1;
