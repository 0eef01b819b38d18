namespace WorkloadFederation.Client.Configuration;

/// <summary>
/// Explicit settings of a client. Each non-null value overrides the matching environment variable of API.md
/// ("Environment of client tools"). When a credential is given explicitly (<see cref="AccessToken"/>,
/// <see cref="OidcToken"/> or <see cref="ClientSecret"/>), no credential is read from the environment at all
/// (neither <c>CONDUCTORONE_*</c> tokens nor platform tokens); the client id, tenant domain and server URL still
/// fall back to their variables.
/// </summary>
public sealed record WifClientOptions
{
    /// <summary>A ready bearer token (overrides <c>CONDUCTORONE_ACCESS_TOKEN</c>).</summary>
    public string? AccessToken { get; init; }

    /// <summary>A CI platform's JWT to exchange (overrides <c>CONDUCTORONE_OIDC_TOKEN</c>).</summary>
    public string? OidcToken { get; init; }

    /// <summary>A trust's or credential's client id (overrides <c>CONDUCTORONE_CLIENT_ID</c>).</summary>
    public string? ClientId { get; init; }

    /// <summary>A credential's secret, <c>secret-token:...</c> (overrides <c>CONDUCTORONE_CLIENT_SECRET</c>).</summary>
    public string? ClientSecret { get; init; }

    /// <summary>The tenant domain (overrides <c>CONDUCTORONE_TENANT_DOMAIN</c> and the client id's domain).</summary>
    public string? TenantDomain { get; init; }

    /// <summary>The node's base URL (overrides <c>CONDUCTORONE_SERVER_URL</c>).</summary>
    public string? ServerUrl { get; init; }

    /// <summary>
    /// The audience requested for a GitHub Actions OIDC token. Default: the tenant domain (the default expected
    /// audience of a trust).
    /// </summary>
    public string? PlatformAudience { get; init; }

    /// <summary>False to read no environment variable at all (only these options).</summary>
    public bool ReadEnvironment { get; init; } = true;

    /// <summary>Reads one environment variable; default <see cref="System.Environment.GetEnvironmentVariable(string)"/>.</summary>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>
    /// How an explicit option is named in errors (argument: the property name, e.g. <c>ClientId</c>). The CLI maps
    /// them to its flags. Default: <c>"the ClientId option"</c>.
    /// </summary>
    public Func<string, string>? DescribeOption { get; init; }

    /// <summary>The clock; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>The handler the SDK's own requests go through (token endpoint, GitHub token request, admin API).</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Bounded retry of 429 and 5xx answers.</summary>
    public RetryOptions Retry { get; init; } = new();

    /// <summary>Renew a cached access token this long before it expires (capped at half its lifetime).</summary>
    public TimeSpan RenewBeforeExpiry { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of a client assertion (at most 5 minutes, API.md).</summary>
    public TimeSpan AssertionLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Bounded retries with exponential back-off for 429 (honouring <c>Retry-After</c>), 5xx and network failures.</summary>
public sealed record RetryOptions
{
    /// <summary>Attempts in total, including the first (1 = no retry). At most 10.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Back-off before the first retry; doubled for each further retry.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Largest back-off between two attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A <c>Retry-After</c> longer than this is not waited for: the error is returned at once.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Waits between attempts; default <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>. Tests record instead of waiting.</summary>
    public Func<TimeSpan, CancellationToken, Task>? Delay { get; init; }
}
