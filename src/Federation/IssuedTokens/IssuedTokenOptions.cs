namespace WorkloadFederation.Federation.IssuedTokens;

/// <summary>
/// Options of issued access tokens. <see cref="Issuer"/> may contain <c>{tenant}</c>, replaced by the tenant domain
/// (e.g. <c>https://{tenant}</c>), so that one node can serve several tenants each under its own issuer.
/// </summary>
public sealed record IssuedTokenOptions
{
    /// <summary>The placeholder replaced by the tenant domain in <see cref="Issuer"/>.</summary>
    public const string TenantPlaceholder = "{tenant}";

    /// <summary>Upper bound of any issued token's lifetime (API.md: 3600 s for client credentials, ≤ 3600 s for a trust).</summary>
    public const int MaxLifetimeSeconds = 3600;

    /// <summary>The <c>iss</c> of issued tokens.</summary>
    public required string Issuer { get; init; }

    /// <summary>Allowed clock skew when validating our own tokens' <c>iat</c>/<c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest lifetime of any token (drives how long a retired signing key stays published).</summary>
    public TimeSpan MaxTokenLifetime { get; init; } = TimeSpan.FromSeconds(MaxLifetimeSeconds);

    /// <summary>Every problem of these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var sample = IssuerFor("tenant.example");
        if (string.IsNullOrWhiteSpace(Issuer) || !Uri.TryCreate(sample, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add("Issuer must be an absolute http(s) URL (optionally with {tenant})");
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
        {
            problems.Add("ClockSkew must be between 0 and 5 minutes");
        }

        if (MaxTokenLifetime < TimeSpan.FromSeconds(60) || MaxTokenLifetime > TimeSpan.FromSeconds(MaxLifetimeSeconds))
        {
            problems.Add($"MaxTokenLifetime must be between 60 and {MaxLifetimeSeconds} seconds");
        }

        return problems;
    }

    /// <summary>The issuer for <paramref name="tenant"/>.</summary>
    public string IssuerFor(string tenant) => Issuer.Replace(TenantPlaceholder, tenant, StringComparison.Ordinal);
}
