namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>OpenID Connect Discovery 1.0 names (§4, §3).</summary>
public static class OpenIdDiscovery
{
    public const string ConfigurationPath = "/.well-known/openid-configuration";
    public const string Issuer = "issuer";
    public const string JwksUri = "jwks_uri";
}
