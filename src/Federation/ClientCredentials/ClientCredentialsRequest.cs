using System.Net;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.ClientCredentials;

/// <summary>A client credentials request (RFC 6749 §4.4) in either form of API.md.</summary>
/// <param name="ClientId">The credential's client id.</param>
/// <param name="ClientAssertionType">RFC 7523 §2.2 assertion type, with <paramref name="ClientAssertion"/>.</param>
/// <param name="ClientAssertion">The signed EdDSA assertion.</param>
/// <param name="ClientSecret">The whole <c>secret-token:</c> string (secret post).</param>
/// <param name="ClientIp">The caller address.</param>
public sealed record ClientCredentialsRequest(
    string? ClientId,
    string? ClientAssertionType,
    string? ClientAssertion,
    string? ClientSecret,
    IPAddress? ClientIp)
{
    /// <summary>Never the assertion or secret.</summary>
    public override string ToString() => $"client credentials for {ClientId} from {ClientIp}";
}

/// <summary>Options of the client credentials grant.</summary>
public sealed record ClientCredentialsOptions
{
    /// <summary>Default token lifetime (API.md: 3600 s), never beyond the credential's remaining life.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>Longest accepted assertion life ahead of now (API.md: 5 minutes).</summary>
    public TimeSpan MaxAssertionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Clock skew for the assertion's <c>iat</c>, <c>nbf</c> and <c>exp</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest accepted <c>jti</c>.</summary>
    public int MaxJtiLength { get; init; } = 256;

    /// <summary>Read limits of assertions.</summary>
    public JwtReadLimits ReadLimits { get; init; } = JwtReadLimits.Default with { MaxTokenLength = 8 * 1024 };

    /// <summary>
    /// The node's configured public token endpoint URLs, accepted as an assertion <c>aud</c> besides the tenant domain
    /// and <c>https://&lt;tenant domain&gt;/auth/v1/token</c>. Never the URL a caller addressed: a Host header is the
    /// caller's to choose, so accepting it would let an assertion made for another server be relayed here
    /// (RFC 7523 §3 item 3).
    /// </summary>
    public IReadOnlyList<string> PublicTokenEndpointUrls { get; init; } = [];
}

