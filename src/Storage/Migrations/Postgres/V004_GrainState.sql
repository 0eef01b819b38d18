-- Orleans grain state that is not catalog (a provider's last good JWKS and fetch metadata), for the embedded mode:
-- one row per (state name, grain id), written only when the caller's etag matches.
CREATE TABLE grain_state (
    state_name text NOT NULL,
    grain_id text NOT NULL,
    etag text NOT NULL,
    payload bytea NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (state_name, grain_id)
);
