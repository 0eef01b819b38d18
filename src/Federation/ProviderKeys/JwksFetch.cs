using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>The outcome of fetching one provider's keys. The default value is a failure.</summary>
internal readonly record struct JwksFetchResult
{
    private JwksFetchResult(JsonWebKeySet? keys, TimeSpan? maxAge, string? error)
    {
        Keys = keys;
        MaxAge = maxAge;
        Error = error;
    }

    public JsonWebKeySet? Keys { get; }

    /// <summary>The response's <c>Cache-Control: max-age</c>, when present.</summary>
    public TimeSpan? MaxAge { get; }

    public string? Error { get; }

    public bool Succeeded => Keys is not null;

    public static JwksFetchResult Success(JsonWebKeySet keys, TimeSpan? maxAge) => new(keys, maxAge, null);

    public static JwksFetchResult Failure(string error) => new(null, null, error);
}

/// <summary>Fetches a provider's JWKS (through discovery when no explicit URI is configured).</summary>
internal interface IJwksFetcher
{
    Task<JwksFetchResult> FetchAsync(ProviderKeySource source, CancellationToken cancellationToken);
}
