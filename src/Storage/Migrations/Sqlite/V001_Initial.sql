-- WorkloadFederation store, SQLite dialect, version 1.
-- Times are INTEGER microseconds since the Unix epoch (UTC). Lists are JSON arrays in TEXT columns.
-- Every tenant-owned row carries its tenant; keys are (tenant, id) so an id never reaches across tenants.

CREATE TABLE store_version (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);

INSERT INTO store_version (id, version) VALUES (1, 0);

-- One row per entity touched by a commit; all rows of a commit share its version.
CREATE TABLE changes (
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    tenant TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    PRIMARY KEY (version, seq)
);

CREATE TABLE tenants (
    domain TEXT NOT NULL PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE providers (
    tenant TEXT NOT NULL REFERENCES tenants (domain),
    id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    preset TEXT NOT NULL,
    issuer_url TEXT NOT NULL,
    jwks_uri TEXT NULL,
    allowed_algorithms TEXT NOT NULL,
    max_token_age_seconds INTEGER NOT NULL,
    development_issuer INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE service_principals (
    tenant TEXT NOT NULL REFERENCES tenants (domain),
    id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    owners TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- Credentials and trusts share one client-id namespace across the whole deployment.
CREATE TABLE client_ids (
    client_id TEXT NOT NULL PRIMARY KEY,
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL
);

CREATE UNIQUE INDEX client_ids_owner ON client_ids (tenant, kind, entity_id);

CREATE TABLE credentials (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    public_key BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    ip_allowlist TEXT NOT NULL,
    scoped_roles TEXT NOT NULL,
    revoked_at INTEGER NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, id),
    FOREIGN KEY (tenant, principal_id) REFERENCES service_principals (tenant, id)
);

CREATE UNIQUE INDEX credentials_client_id ON credentials (client_id);
CREATE INDEX credentials_principal ON credentials (tenant, principal_id);

CREATE TABLE trusts (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    condition TEXT NOT NULL,
    audience TEXT NOT NULL,
    ip_allowlist TEXT NOT NULL,
    scoped_roles TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    token_lifetime_seconds INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, id),
    FOREIGN KEY (tenant, principal_id) REFERENCES service_principals (tenant, id),
    FOREIGN KEY (tenant, provider_id) REFERENCES providers (tenant, id)
);

CREATE UNIQUE INDEX trusts_client_id ON trusts (client_id);
CREATE INDEX trusts_principal ON trusts (tenant, principal_id);
CREATE INDEX trusts_provider ON trusts (tenant, provider_id);

-- Signing keys belong to the deployment, not to a tenant.
CREATE TABLE signing_keys (
    key_id TEXT NOT NULL PRIMARY KEY,
    algorithm TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    encrypted_private_key BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER NULL,
    published_until INTEGER NULL
);

CREATE TABLE revoked_tokens (
    tenant TEXT NOT NULL REFERENCES tenants (domain),
    jti TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, jti)
);

CREATE TABLE replay_marks (
    mark_key TEXT NOT NULL PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

CREATE INDEX replay_marks_expires_at ON replay_marks (expires_at);

-- AUTOINCREMENT: ids are never reused, so an audit cursor never sees an id twice.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    principal_id TEXT NULL,
    credential_id TEXT NULL,
    trust_id TEXT NULL,
    client_id TEXT NULL,
    client_ip TEXT NULL,
    subject TEXT NULL,
    detail TEXT NULL
);

CREATE INDEX audit_events_tenant ON audit_events (tenant, id);
