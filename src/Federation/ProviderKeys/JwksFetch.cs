using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>The outcome of fetching one provider's keys. The default value is a failure.</summary>
public readonly record struct JwksFetchResult
{
    private JwksFetchResult(JsonWebKeySet? keys, TimeSpan? maxAge, string? error)
    {
        Keys = keys;
        MaxAge = maxAge;
        Error = error;
    }

    /// <summary>The keys, on success.</summary>
    public JsonWebKeySet? Keys { get; }

    /// <summary>The response's <c>Cache-Control: max-age</c>, when present.</summary>
    public TimeSpan? MaxAge { get; }

    /// <summary>Why the fetch failed (no token content), on failure.</summary>
    public string? Error { get; }

    /// <summary>True when keys were fetched.</summary>
    public bool Succeeded => Keys is not null;

    /// <summary>A successful fetch.</summary>
    public static JwksFetchResult Success(JsonWebKeySet keys, TimeSpan? maxAge) => new(keys, maxAge, null);

    /// <summary>A failed fetch.</summary>
    public static JwksFetchResult Failure(string error) => new(null, null, error);
}

/// <summary>Fetches a provider's JWKS (through discovery when no explicit URI is configured).</summary>
public interface IJwksFetcher
{
    /// <summary>Fetches the keys of <paramref name="source"/>; failures are values, never exceptions.</summary>
    Task<JwksFetchResult> FetchAsync(ProviderKeySource source, CancellationToken cancellationToken);
}
