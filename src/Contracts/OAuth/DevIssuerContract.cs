using System.Text.Json;

namespace WorkloadFederation.Contracts.OAuth;

/// <summary>
/// Body of <c>POST /dev/oidc/token</c> (dev mode only): mints a token of the node's development OIDC issuer.
/// <see cref="Claims"/> is a JSON object of extra claims; <see cref="Preset"/> (a provider preset id) shapes the
/// token like that platform's; <see cref="LifetimeSeconds"/> is at most 3600 (default 300).
/// </summary>
public sealed record DevTokenRequest(
    JsonElement? Claims,
    string? Audience,
    string? Preset,
    int? LifetimeSeconds);

/// <summary>Response of <c>POST /dev/oidc/token</c>: the compact JWT, its lifetime and its issuer.</summary>
public sealed record DevTokenResponse(string Token, int ExpiresIn, string Issuer);
