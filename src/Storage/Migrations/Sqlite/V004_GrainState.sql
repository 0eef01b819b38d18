-- Orleans grain state that is not catalog (a provider's last good JWKS and fetch metadata), for the embedded mode:
-- one row per (state name, grain id), written only when the caller's etag matches.
CREATE TABLE grain_state (
    state_name TEXT NOT NULL,
    grain_id TEXT NOT NULL,
    etag TEXT NOT NULL,
    payload BLOB NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (state_name, grain_id)
);
