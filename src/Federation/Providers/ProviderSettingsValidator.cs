using System.Net;
using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.Providers;

/// <summary>One problem with a provider's settings: the wire field it concerns and what is wrong.</summary>
public sealed record ProviderSettingsProblem(string Field, string Message);

/// <summary>A provider's effective settings after its preset's defaults are applied, or every problem found.</summary>
public sealed record ProviderSettingsResult(
    string? Preset,
    string? IssuerUrl,
    string? JwksUri,
    IReadOnlyList<string> AllowedAlgorithms,
    IReadOnlyList<ProviderSettingsProblem> Problems)
{
    /// <summary>True when there is no problem.</summary>
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Applies a preset to requested provider settings and validates them, reporting every problem at once: known
/// preset; a fixed issuer cannot be changed and an editable one without default must be given; issuer and JWKS URI
/// are absolute https URLs without query, fragment or user info (plain http only for a development issuer on a
/// loopback host); algorithms are supported asymmetric ones (never <c>none</c> or HMAC), without duplicates.
/// </summary>
public static class ProviderSettingsValidator
{
    /// <summary>Longest issuer or JWKS URI accepted.</summary>
    public const int MaxUriLength = 2048;

    /// <summary>Most algorithms a provider may allow (room for every supported one, which a custom issuer gets by default).</summary>
    public const int MaxAlgorithms = 16;

    public const string PresetField = "preset";
    public const string IssuerField = "issuer_url";
    public const string JwksUriField = "jwks_uri";
    public const string AlgorithmsField = "allowed_algorithms";

    /// <summary>Validates settings for a new provider (or an update, passing its preset).</summary>
    public static ProviderSettingsResult Resolve(string? presetId, string? issuerUrl, string? jwksUri, IReadOnlyList<string>? algorithms, bool developmentIssuer)
    {
        var problems = new List<ProviderSettingsProblem>();
        if (!ProviderPresets.TryGet(presetId, out var preset))
        {
            problems.Add(new(PresetField, $"preset must be one of {string.Join(", ", ProviderPresets.All.Select(p => p.Id))}."));
            return new(null, issuerUrl, jwksUri, algorithms ?? [], problems);
        }

        var issuer = issuerUrl;
        if (!preset.IssuerEditable)
        {
            if (issuer is not null && !string.Equals(issuer, preset.IssuerUrl, StringComparison.Ordinal))
            {
                problems.Add(new(IssuerField, $"the {preset.Id} preset's issuer is fixed: {preset.IssuerUrl}."));
            }

            issuer = preset.IssuerUrl;
        }
        else
        {
            issuer ??= preset.IssuerUrl;
            if (issuer is null)
            {
                problems.Add(new(IssuerField, $"issuer_url is required for the {preset.Id} preset (for example {preset.IssuerExample})."));
            }
        }

        if (issuer is not null && CheckUrl(issuer, developmentIssuer, "issuer_url") is { } issuerProblem)
        {
            problems.Add(new(IssuerField, issuerProblem));
        }

        if (jwksUri is not null && CheckUrl(jwksUri, developmentIssuer, "jwks_uri") is { } jwksProblem)
        {
            problems.Add(new(JwksUriField, jwksProblem));
        }

        var allowed = algorithms ?? preset.DefaultAlgorithms;
        if (allowed.Count == 0)
        {
            problems.Add(new(AlgorithmsField, "allowed_algorithms must name at least one algorithm."));
        }
        else if (allowed.Count > MaxAlgorithms)
        {
            problems.Add(new(AlgorithmsField, $"allowed_algorithms has {allowed.Count} entries, over the limit of {MaxAlgorithms}."));
        }

        foreach (var alg in allowed)
        {
            if (!JwtAlgorithms.IsSupported(alg))
            {
                problems.Add(new(AlgorithmsField, $"'{Truncate(alg)}' is not a supported algorithm; allowed are {string.Join(", ", JwtAlgorithms.All)} (never none or HMAC)."));
            }
        }

        if (allowed.Distinct(StringComparer.Ordinal).Count() != allowed.Count)
        {
            problems.Add(new(AlgorithmsField, "allowed_algorithms lists an algorithm twice."));
        }

        return new(preset.Id, issuer, jwksUri, allowed, problems);
    }

    /// <summary>The problem with a provider URL, or null when it is acceptable.</summary>
    public static string? CheckUrl(string url, bool developmentIssuer, string field)
    {
        if (url.Length > MaxUriLength)
        {
            return $"{field} is longer than the limit of {MaxUriLength} characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc)
        {
            return $"{field} must be an absolute URL.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return $"{field} must not carry user info, a query or a fragment.";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && developmentIssuer && IsLoopbackHost(uri.Host))
        {
            return null;
        }

        return developmentIssuer
            ? $"{field} must use https, or http on a loopback host for a development issuer."
            : $"{field} must use https.";
    }

    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";
}
