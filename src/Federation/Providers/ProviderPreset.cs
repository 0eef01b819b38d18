using WorkloadFederation.Contracts.Admin;

namespace WorkloadFederation.Federation.Providers;

/// <summary>One claim a platform puts in its tokens: name, JSON type and what it means (from the platform's public docs).</summary>
public sealed record PresetClaim(string Name, string JsonType, string Description);

/// <summary>
/// A platform whose OIDC tokens the service knows: its issuer (fixed, editable for self-managed installations, or
/// per-account), the algorithms its tokens use, and the claims they carry.
/// </summary>
public sealed record ProviderPreset(
    string Id,
    string DisplayName,
    string? IssuerUrl,
    bool IssuerEditable,
    string? IssuerExample,
    IReadOnlyList<string> DefaultAlgorithms,
    IReadOnlyList<PresetClaim> Claims,
    string Documentation)
{
    /// <summary>The wire shape of API.md's <c>GET /api/v1/provider-presets</c>.</summary>
    public ProviderPresetDto ToDto() =>
        new(Id, DisplayName, IssuerUrl, IssuerEditable, [.. Claims.Select(c => c.Name)], DefaultAlgorithms);
}
