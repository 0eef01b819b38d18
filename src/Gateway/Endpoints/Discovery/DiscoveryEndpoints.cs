using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Endpoints.Discovery;

/// <summary>The discovery document (RFC 8414, OpenID Discovery) as API.md lists its members.</summary>
public sealed record DiscoveryDocument(
    string Issuer,
    string TokenEndpoint,
    string JwksUri,
    string IntrospectionEndpoint,
    string RevocationEndpoint,
    IReadOnlyList<string> GrantTypesSupported,
    IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    IReadOnlyList<string> TokenEndpointAuthSigningAlgValuesSupported,
    IReadOnlyList<string> IntrospectionEndpointAuthMethodsSupported,
    IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    IReadOnlyList<string> ResponseTypesSupported,
    IReadOnlyList<string> SubjectTypesSupported,
    IReadOnlyList<string> IdTokenSigningAlgValuesSupported);

/// <summary>
/// <c>/.well-known/openid-configuration</c>, <c>/.well-known/oauth-authorization-server</c> and <c>/.well-known/jwks.json</c>.
/// The JWKS bytes are precomputed in the snapshot's signing key ring; discovery documents are cached per base URL.
/// </summary>
internal static class DiscoveryEndpoints
{
    private const int MaxCachedDocuments = 64;
    private static readonly ConcurrentDictionary<(string BaseUrl, string Issuer), byte[]> Cache = new();

    /// <summary>Maps the discovery documents and the JWKS.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(EndpointPaths.OpenIdConfiguration, Discovery).WithTags("Discovery").Produces<DiscoveryDocument>();
        app.MapGet(EndpointPaths.OAuthAuthorizationServer, Discovery).WithTags("Discovery").Produces<DiscoveryDocument>();
        app.MapGet(EndpointPaths.Jwks, Jwks).WithTags("Discovery");
    }

    /// <summary>The document for a base URL and issuer.</summary>
    public static DiscoveryDocument Build(string baseUrl, string issuer) => new(
        issuer,
        baseUrl + EndpointPaths.Token,
        baseUrl + EndpointPaths.Jwks,
        baseUrl + EndpointPaths.Introspect,
        baseUrl + EndpointPaths.Revoke,
        [GrantTypes.TokenExchange, GrantTypes.ClientCredentials],
        [ClientAuthenticationMethods.PrivateKeyJwt, ClientAuthenticationMethods.ClientSecretPost],
        ["EdDSA"],
        ["bearer"],
        ["bearer"],
        ["token"],
        ["public"],
        [SigningKeyRing.Algorithm]);

    private static IResult Discovery(HttpContext http, SnapshotHolder snapshots, IssuedTokenOptions issued, TenancyOptions tenancy)
    {
        var baseUrl = BaseUrl(http, tenancy);
        var host = http.Request.Host.Host.ToLowerInvariant();
        var tenant = snapshots.Current.TryGetTenant(host, out _) ? host : tenancy.DefaultTenant;
        var issuer = issued.IssuerFor(tenant);
        if (!Cache.TryGetValue((baseUrl, issuer), out var bytes))
        {
            bytes = JsonSerializer.SerializeToUtf8Bytes(Build(baseUrl, issuer), WireJson.Options);
            if (Cache.Count < MaxCachedDocuments)
            {
                Cache.TryAdd((baseUrl, issuer), bytes);
            }
        }

        http.Response.Headers.CacheControl = "public, max-age=300";
        return Results.Bytes(bytes, "application/json");
    }

    private static IResult Jwks(HttpContext http, SnapshotHolder snapshots)
    {
        http.Response.Headers.CacheControl = "public, max-age=60";
        return Results.Bytes(snapshots.Current.SigningKeys.JwksJson, "application/jwk-set+json");
    }

    /// <summary>The node's public base URL: configured, or the scheme and host of the request.</summary>
    public static string BaseUrl(HttpContext http, TenancyOptions tenancy) =>
        tenancy.PublicBaseUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{http.Request.Scheme}://{http.Request.Host.Value}";
}
