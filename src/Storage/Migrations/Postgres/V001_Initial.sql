-- WorkloadFederation store, PostgreSQL dialect, version 1.
-- Times are timestamptz (microsecond precision). Lists are JSON arrays in text columns.
-- Every tenant-owned row carries its tenant; keys are (tenant, id) so an id never reaches across tenants.

CREATE TABLE store_version (
    id integer NOT NULL PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);

INSERT INTO store_version (id, version) VALUES (1, 0);

-- One row per entity touched by a commit; all rows of a commit share its version.
CREATE TABLE changes (
    version bigint NOT NULL,
    seq integer NOT NULL,
    kind text NOT NULL,
    tenant text NOT NULL,
    entity_id text NOT NULL,
    deleted boolean NOT NULL,
    PRIMARY KEY (version, seq)
);

CREATE TABLE tenants (
    domain text NOT NULL PRIMARY KEY,
    created_at timestamptz NOT NULL
);

CREATE TABLE providers (
    tenant text NOT NULL REFERENCES tenants (domain),
    id text NOT NULL,
    display_name text NOT NULL,
    preset text NOT NULL,
    issuer_url text NOT NULL,
    jwks_uri text NULL,
    allowed_algorithms text NOT NULL,
    max_token_age_seconds integer NOT NULL,
    development_issuer boolean NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE service_principals (
    tenant text NOT NULL REFERENCES tenants (domain),
    id text NOT NULL,
    display_name text NOT NULL,
    roles text NOT NULL,
    owners text NOT NULL,
    enabled boolean NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- Credentials and trusts share one client-id namespace across the whole deployment.
CREATE TABLE client_ids (
    client_id text NOT NULL PRIMARY KEY,
    tenant text NOT NULL,
    kind text NOT NULL,
    entity_id text NOT NULL
);

CREATE UNIQUE INDEX client_ids_owner ON client_ids (tenant, kind, entity_id);

CREATE TABLE credentials (
    tenant text NOT NULL,
    id text NOT NULL,
    principal_id text NOT NULL,
    client_id text NOT NULL,
    display_name text NOT NULL,
    public_key bytea NOT NULL,
    expires_at timestamptz NOT NULL,
    ip_allowlist text NOT NULL,
    scoped_roles text NOT NULL,
    revoked_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, id),
    FOREIGN KEY (tenant, principal_id) REFERENCES service_principals (tenant, id)
);

CREATE UNIQUE INDEX credentials_client_id ON credentials (client_id);
CREATE INDEX credentials_principal ON credentials (tenant, principal_id);

CREATE TABLE trusts (
    tenant text NOT NULL,
    id text NOT NULL,
    principal_id text NOT NULL,
    provider_id text NOT NULL,
    client_id text NOT NULL,
    display_name text NOT NULL,
    condition text NOT NULL,
    audience text NOT NULL,
    ip_allowlist text NOT NULL,
    scoped_roles text NOT NULL,
    enabled boolean NOT NULL,
    token_lifetime_seconds integer NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, id),
    FOREIGN KEY (tenant, principal_id) REFERENCES service_principals (tenant, id),
    FOREIGN KEY (tenant, provider_id) REFERENCES providers (tenant, id)
);

CREATE UNIQUE INDEX trusts_client_id ON trusts (client_id);
CREATE INDEX trusts_principal ON trusts (tenant, principal_id);
CREATE INDEX trusts_provider ON trusts (tenant, provider_id);

-- Signing keys belong to the deployment, not to a tenant.
CREATE TABLE signing_keys (
    key_id text NOT NULL PRIMARY KEY,
    algorithm text NOT NULL,
    public_jwk text NOT NULL,
    encrypted_private_key bytea NOT NULL,
    created_at timestamptz NOT NULL,
    retired_at timestamptz NULL,
    published_until timestamptz NULL
);

CREATE TABLE revoked_tokens (
    tenant text NOT NULL REFERENCES tenants (domain),
    jti text NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, jti)
);

CREATE TABLE replay_marks (
    mark_key text NOT NULL PRIMARY KEY,
    expires_at timestamptz NOT NULL
);

CREATE INDEX replay_marks_expires_at ON replay_marks (expires_at);

-- Appends are serialised by an advisory lock, so id order is commit order and a cursor never skips an id.
CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant text NOT NULL,
    occurred_at timestamptz NOT NULL,
    event_type text NOT NULL,
    outcome text NOT NULL,
    reason text NOT NULL,
    principal_id text NULL,
    credential_id text NULL,
    trust_id text NULL,
    client_id text NULL,
    client_ip text NULL,
    subject text NULL,
    detail text NULL
);

CREATE INDEX audit_events_tenant ON audit_events (tenant, id);
