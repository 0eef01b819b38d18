using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>
/// Turns a key lookup in a provider's key set into a <see cref="ProviderKeyResult"/>: the one mapping shared by the
/// node-local cache and by views of keys held elsewhere (a silo's copy of what the provider's one fetcher has).
/// </summary>
public static class ProviderKeyLookup
{
    /// <summary>The result of looking up <paramref name="kid"/> and <paramref name="alg"/> in <paramref name="keys"/>.</summary>
    /// <param name="keys">The keys served now.</param>
    /// <param name="kid">The token header's <c>kid</c>, or null.</param>
    /// <param name="alg">The token header's <c>alg</c>.</param>
    /// <param name="lastFetchError">The error of the latest fetch when it failed, otherwise null.</param>
    public static ProviderKeyResult Resolve(JsonWebKeySet keys, string? kid, string alg, string? lastFetchError)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var lookup = keys.Find(kid, alg);
        return lookup.Status == KeyLookupStatus.NotFound ? NotFound(keys, kid, alg, lastFetchError) : ToResult(lookup, keys);
    }

    /// <summary>No key matches: unknown, or unavailable when the latest fetch failed (a rotation not visible yet).</summary>
    public static ProviderKeyResult NotFound(JsonWebKeySet keys, string? kid, string alg, string? lastFetchError)
    {
        if (lastFetchError is not null)
        {
            return ProviderKeyResult.Unavailable("The token's key is not among the provider's cached keys and the issuer's keys cannot be refreshed: " + lastFetchError);
        }

        return ProviderKeyResult.UnknownKey(
            kid is null
                ? $"The token has no kid and the provider publishes no key for {alg}."
                : "The provider's JWKS has no key with the token's kid.",
            KeyIds(keys));
    }

    /// <summary>The result of a lookup that found something (a key, an ambiguity or a mismatch).</summary>
    public static ProviderKeyResult ToResult(KeyLookup lookup, JsonWebKeySet keys) => lookup.Status switch
    {
        KeyLookupStatus.Found => ProviderKeyResult.Found(lookup.Key!),
        KeyLookupStatus.Ambiguous => ProviderKeyResult.Ambiguous("More than one of the provider's keys matches the token's header; an ambiguous key is never chosen.", KeyIds(keys)),
        KeyLookupStatus.AlgorithmMismatch => ProviderKeyResult.AlgorithmMismatch("The key named by the token's kid cannot verify the token's alg.", KeyIds(keys)),
        _ => ProviderKeyResult.UnknownKey("The provider's JWKS has no matching key.", KeyIds(keys)),
    };

    /// <summary>The distinct <c>kid</c>s of <paramref name="keys"/>.</summary>
    public static IReadOnlyList<string> KeyIds(JsonWebKeySet keys) =>
        [.. keys.Keys.Select(k => k.KeyId).OfType<string>().Distinct(StringComparer.Ordinal)];
}
