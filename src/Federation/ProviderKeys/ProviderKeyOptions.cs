using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>Bounds of provider key fetching and caching. Every member is finite; <see cref="Validate"/> reports every problem.</summary>
public sealed record ProviderKeyOptions
{
    /// <summary>The defaults.</summary>
    public static ProviderKeyOptions Default { get; } = new();

    /// <summary>Total time allowed for one HTTP exchange (connect, headers and body): 5 s.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest discovery or JWKS response body read, in bytes: 128 KiB.</summary>
    public int MaxResponseBytes { get; init; } = 128 * 1024;

    /// <summary>Limits of the JWKS document and its keys.</summary>
    public JwksLimits Jwks { get; init; } = JwksLimits.Default with { MaxBytes = 128 * 1024 };

    /// <summary>Refresh interval when the response has no usable <c>Cache-Control: max-age</c>: 1 h.</summary>
    public TimeSpan DefaultRefreshInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Lower bound on the refresh interval, whatever <c>max-age</c> says: 5 min.</summary>
    public TimeSpan MinRefreshInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Upper bound on the refresh interval, whatever <c>max-age</c> says: 24 h.</summary>
    public TimeSpan MaxRefreshInterval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Minimum time between two refetches triggered by an unknown <c>kid</c>, per provider: 10 s. Requests that
    /// arrive while one is in flight share it; requests in between are answered from the cache.
    /// </summary>
    public TimeSpan UnknownKeyRefetchInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay after a failed fetch; doubles per consecutive failure up to <see cref="MaxErrorRetryInterval"/>.</summary>
    public TimeSpan ErrorRetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest retry delay after failures: 2 min.</summary>
    public TimeSpan MaxErrorRetryInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long keys fetched successfully keep being used while every refresh fails (stale-if-error): 7 days. After
    /// that the provider is unavailable until its issuer answers again.
    /// </summary>
    public TimeSpan MaxStaleness { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often the background loop looks for due refreshes: 1 s.</summary>
    public TimeSpan RefreshTick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Most scheduled refreshes started by one pass of the background loop: 8.</summary>
    public int MaxRefreshesPerPass { get; init; } = 8;

    /// <summary>Every problem with these options, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (FetchTimeout <= TimeSpan.Zero || FetchTimeout > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{nameof(FetchTimeout)} must be between 0 and 60 seconds.");
        }

        if (MaxResponseBytes is < 1024 or > 4 * 1024 * 1024)
        {
            problems.Add($"{nameof(MaxResponseBytes)} must be between 1024 and 4194304 bytes.");
        }

        if (MinRefreshInterval <= TimeSpan.Zero || MinRefreshInterval > MaxRefreshInterval)
        {
            problems.Add($"{nameof(MinRefreshInterval)} must be positive and not above {nameof(MaxRefreshInterval)}.");
        }

        if (DefaultRefreshInterval < MinRefreshInterval || DefaultRefreshInterval > MaxRefreshInterval)
        {
            problems.Add($"{nameof(DefaultRefreshInterval)} must lie between {nameof(MinRefreshInterval)} and {nameof(MaxRefreshInterval)}.");
        }

        if (UnknownKeyRefetchInterval < TimeSpan.FromSeconds(1))
        {
            problems.Add($"{nameof(UnknownKeyRefetchInterval)} must be at least 1 second.");
        }

        if (ErrorRetryInterval <= TimeSpan.Zero || ErrorRetryInterval > MaxErrorRetryInterval)
        {
            problems.Add($"{nameof(ErrorRetryInterval)} must be positive and not above {nameof(MaxErrorRetryInterval)}.");
        }

        if (MaxStaleness < MaxRefreshInterval || MaxStaleness > TimeSpan.FromDays(30))
        {
            problems.Add($"{nameof(MaxStaleness)} must lie between {nameof(MaxRefreshInterval)} and 30 days.");
        }

        if (RefreshTick <= TimeSpan.Zero || RefreshTick > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{nameof(RefreshTick)} must be between 0 and 60 seconds.");
        }

        if (MaxRefreshesPerPass is < 1 or > 256)
        {
            problems.Add($"{nameof(MaxRefreshesPerPass)} must be between 1 and 256.");
        }

        return problems;
    }
}
