namespace WorkloadFederation.Gateway.DevIssuer;

/// <summary>Settings of the development OIDC issuer.</summary>
public sealed class DevIssuerOptions
{
    /// <summary>
    /// The issuer URL. When null it is derived from the node's first <c>http://</c> loopback listening address plus
    /// <c>/dev/oidc</c> (the same rule the dev-mode provisioning uses), once the server has started.
    /// </summary>
    public string? IssuerUrl { get; set; }

    /// <summary>Token lifetime when the request gives none: 300 s.</summary>
    public int DefaultLifetimeSeconds { get; set; } = 300;

    /// <summary>Longest lifetime a request may ask for: 3600 s.</summary>
    public int MaxLifetimeSeconds { get; set; } = 3600;

    /// <summary>Largest request body accepted: 64 KiB.</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Every problem with these settings, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxLifetimeSeconds is < 1 or > 3600)
        {
            problems.Add($"{nameof(MaxLifetimeSeconds)} must be between 1 and 3600.");
        }

        if (DefaultLifetimeSeconds < 1 || DefaultLifetimeSeconds > MaxLifetimeSeconds)
        {
            problems.Add($"{nameof(DefaultLifetimeSeconds)} must be between 1 and {nameof(MaxLifetimeSeconds)}.");
        }

        if (MaxRequestBytes is < 1024 or > 1024 * 1024)
        {
            problems.Add($"{nameof(MaxRequestBytes)} must be between 1024 and 1048576.");
        }

        if (IssuerUrl is not null && !DevIssuerGuard.IsLoopbackHttpUrl(IssuerUrl))
        {
            problems.Add($"{nameof(IssuerUrl)} must be an http(s) URL on a loopback host.");
        }

        return problems;
    }
}
