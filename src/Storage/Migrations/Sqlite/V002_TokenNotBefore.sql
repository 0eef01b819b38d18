-- A disable ends every token issued before it, also after a re-enable: each principal, credential and trust keeps the
-- time before which its tokens are dead (NULL: never disabled). Reported through the change feed like every column.
ALTER TABLE service_principals ADD COLUMN tokens_not_before INTEGER NULL;
ALTER TABLE credentials ADD COLUMN tokens_not_before INTEGER NULL;
ALTER TABLE trusts ADD COLUMN tokens_not_before INTEGER NULL;
