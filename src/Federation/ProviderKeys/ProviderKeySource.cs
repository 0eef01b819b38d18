using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>
/// Where a provider's keys come from: its exact issuer, an explicit JWKS URI or (when null) OIDC discovery, and
/// whether it is a development issuer (loopback/private addresses and plain http to loopback allowed).
/// A change of any member makes the cache start over for that provider.
/// </summary>
public sealed record ProviderKeySource(string ProviderId, string Issuer, string? JwksUri, bool DevelopmentIssuer)
{
    /// <summary>The tenant of the provider (names the provider's one fetcher in a cluster); empty when not known.</summary>
    public string Tenant { get; init; } = string.Empty;

    /// <summary>The source of a configured provider.</summary>
    public static ProviderKeySource FromProvider(Provider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return new(provider.Id, provider.IssuerUrl, string.IsNullOrEmpty(provider.JwksUri) ? null : provider.JwksUri, provider.DevelopmentIssuer) { Tenant = provider.Tenant };
    }
}
