namespace WorkloadFederation.Gateway.Options;

/// <summary>How the node runs: dev mode and where it keeps its files (<c>Node:*</c>, set by <c>--dev</c> and <c>--data-dir</c>).</summary>
public sealed record NodeOptions
{
    public const string Section = "Node";

    /// <summary>Development mode: embedded SQLite, tenant <c>localhost</c>, the dev OIDC issuer, loopback http providers.</summary>
    public bool Dev { get; init; }

    /// <summary>Folder of the SQLite file, the generated key-encryption key and <c>bootstrap-admin.json</c>.</summary>
    public string DataDir { get; init; } = "./data";

    /// <summary>The data directory as an absolute path.</summary>
    public string DataDirFullPath => Path.GetFullPath(DataDir);
}

/// <summary>Which store the node uses (<c>Store:*</c>).</summary>
public sealed record StoreOptions
{
    public const string Section = "Store";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c> (cluster).</summary>
    public string Provider { get; init; } = Sqlite;

    /// <summary>The connection string; for SQLite it defaults to <c>&lt;data dir&gt;/wif.db</c>.</summary>
    public string? ConnectionString { get; init; }
}

/// <summary>The key-encryption key that seals the private parts of signing keys (<c>Keys:*</c>).</summary>
public sealed record KeyOptions
{
    public const string Section = "Keys";

    /// <summary>The KEK as base64 (32 bytes). Takes precedence over <see cref="KeyEncryptionKeyFile"/>.</summary>
    public string? KeyEncryptionKey { get; init; }

    /// <summary>A file holding the KEK as base64. Defaults to a generated file in the data directory (embedded store only).</summary>
    public string? KeyEncryptionKeyFile { get; init; }
}

/// <summary>Tenancy settings (<c>Tenancy:*</c>).</summary>
public sealed record TenancyOptions
{
    public const string Section = "Tenancy";

    /// <summary>The tenant created with its bootstrap admin on first start with an empty store. Dev mode: <c>localhost</c>.</summary>
    public string DefaultTenant { get; init; } = "localhost";

    /// <summary>
    /// The public base URL used as token issuer (<c>iss</c>) and in discovery; by default taken from the request. Its
    /// token endpoint URL is also accepted as a client assertion's <c>aud</c>.
    /// </summary>
    public string? PublicBaseUrl { get; init; }

    /// <summary>The token endpoint URLs of the configured public base URL (none when it is not set).</summary>
    public IReadOnlyList<string> PublicTokenEndpointUrls() =>
        PublicBaseUrl is { Length: > 0 } baseUrl ? [baseUrl.TrimEnd('/') + WorkloadFederation.Contracts.OAuth.EndpointPaths.Token] : [];
}

/// <summary>Network settings (<c>Network:*</c>).</summary>
public sealed record NetworkOptions
{
    public const string Section = "Network";

    /// <summary>Addresses or CIDRs of reverse proxies whose <c>X-Forwarded-For</c> is believed.</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
}

/// <summary>Lifetimes of issued access tokens (<c>Tokens:*</c>).</summary>
public sealed record TokenLifetimeOptions
{
    public const string Section = "Tokens";
    public const int MinLifetimeSeconds = 60;
    public const int MaxLifetimeSeconds = 3600;

    /// <summary>The <c>iss</c> of issued tokens; <c>{tenant}</c> is replaced by the tenant domain.</summary>
    public string Issuer { get; init; } = "https://{tenant}";

    /// <summary>Lifetime of a token obtained by client credentials (API.md default 3600 s).</summary>
    public int ClientCredentialsLifetimeSeconds { get; init; } = 3600;

    /// <summary>Default lifetime of a token obtained by token exchange (API.md default 1800 s).</summary>
    public int ExchangeLifetimeSeconds { get; init; } = 1800;
}

/// <summary>Rate limits of the token endpoint (<c>RateLimits:*</c>); fixed one-minute windows.</summary>
public sealed record RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Master switch.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Tokens issued per minute per client id.</summary>
    public int PerClientIdPerMinute { get; init; } = 600;

    /// <summary>Requests per minute per source (IPv4 address or IPv6 /64).</summary>
    public int PerIpPerMinute { get; init; } = 3000;

    /// <summary>Tokens issued per minute per tenant.</summary>
    public int PerTenantPerMinute { get; init; } = 20_000;

    /// <summary>
    /// Refused token requests per minute per source (IPv4 address or IPv6 /64); a source over it is refused before its
    /// request is examined. Refusals spend only this budget, never a client id's or a tenant's.
    /// </summary>
    public int FailuresPerSourcePerMinute { get; init; } = 600;

    /// <summary>Requests per minute per source IP on the admin API.</summary>
    public int AdminPerIpPerMinute { get; init; } = 3000;
}

/// <summary>Request size limits (<c>Limits:*</c>).</summary>
public sealed record RequestLimitOptions
{
    public const string Section = "Limits";

    /// <summary>Largest token, introspection or revocation form body in bytes.</summary>
    public int MaxFormBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Most fields in a form body.</summary>
    public int MaxFormFields { get; init; } = 16;

    /// <summary>Longest single form field value in characters (a subject token or assertion).</summary>
    public int MaxFormFieldLength { get; init; } = 16 * 1024;

    /// <summary>Largest admin API JSON body in bytes.</summary>
    public int MaxJsonBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Deepest nesting of an admin API JSON body.</summary>
    public int MaxJsonDepth { get; init; } = 16;

    /// <summary>Largest request header section in bytes (Kestrel).</summary>
    public int MaxRequestHeadersBytes { get; init; } = 32 * 1024;

    /// <summary>Most credentials in force (neither revoked nor expired) per service principal.</summary>
    public int MaxCredentialsPerPrincipal { get; init; } = 25;

    /// <summary>Most trusts per service principal.</summary>
    public int MaxTrustsPerPrincipal { get; init; } = 50;

    /// <summary>Most service principals per tenant.</summary>
    public int MaxPrincipalsPerTenant { get; init; } = 1000;

    /// <summary>Most providers per tenant.</summary>
    public int MaxProvidersPerTenant { get; init; } = 100;

    /// <summary>
    /// The total condition cost of a tenant: the UTF-8 bytes of all its trusts' conditions, which bound what the node
    /// compiles and keeps for the tenant (each evaluation is bounded separately by the CEL cost budget).
    /// </summary>
    public int MaxConditionBytesPerTenant { get; init; } = 256 * 1024;
}

/// <summary>
/// Telemetry export (<c>Telemetry:*</c>). Nothing is collected unless an exporter is configured: OTLP (this endpoint,
/// or the standard <c>OTEL_EXPORTER_OTLP_*</c> variables) or the Prometheus scrape endpoint on its own listener.
/// </summary>
public sealed record TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>OTLP endpoint, e.g. <c>http://127.0.0.1:4317</c>; <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> works as well.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>
    /// Where the Prometheus scrape endpoint <c>/metrics</c> listens, e.g. <c>http://127.0.0.1:9464</c>: an http URL with
    /// an explicit port that no token or admin URL uses. Unset (the default): no <c>/metrics</c> anywhere. That
    /// listener serves <c>/metrics</c> only, and <c>/metrics</c> is served on no other port.
    /// </summary>
    public string? MetricsListenUrl { get; init; }
}
