namespace WorkloadFederation.Grains.Abstractions.ProviderKeys;

/// <summary>Where a provider's keys come from (the grain's copy of the catalog's provider settings).</summary>
[GenerateSerializer, Immutable, Alias("wif.ProviderKeySourceView")]
public sealed record ProviderKeySourceView(
    [property: Id(0)] string ProviderId,
    [property: Id(1)] string Issuer,
    [property: Id(2)] string? JwksUri,
    [property: Id(3)] bool DevelopmentIssuer);

/// <summary>
/// An immutable, versioned copy of what a provider's one fetcher holds: the last good JWKS document (parsed again by
/// each silo under the same limits) and the fetch state. A higher <see cref="Version"/> replaces a lower one.
/// </summary>
[GenerateSerializer, Immutable, Alias("wif.ProviderKeysView")]
public sealed record ProviderKeysView(
    [property: Id(0)] ProviderKeySourceView Source,
    [property: Id(1)] long Version,
    [property: Id(2)] string? Jwks,
    [property: Id(3)] DateTimeOffset? FetchedAt,
    [property: Id(4)] string? LastError,
    [property: Id(5)] DateTimeOffset? LastFailureAt,
    [property: Id(6)] DateTimeOffset NextRefreshAt,
    [property: Id(7)] int FetchCount);

/// <summary>What a provider grain persists so that a freshly started cluster serves known keys through an issuer outage.</summary>
[GenerateSerializer, Alias("wif.ProviderKeysState")]
public sealed class ProviderKeysState
{
    /// <summary>The source the keys were fetched from; keys of another source are never served.</summary>
    [Id(0)]
    public ProviderKeySourceView? Source { get; set; }

    /// <summary>The last good JWKS document.</summary>
    [Id(1)]
    public string? Jwks { get; set; }

    /// <summary>When it was fetched.</summary>
    [Id(2)]
    public DateTimeOffset FetchedAt { get; set; }

    /// <summary>When the next scheduled refresh is due.</summary>
    [Id(3)]
    public DateTimeOffset NextRefreshAt { get; set; }
}
