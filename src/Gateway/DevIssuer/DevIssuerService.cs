using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Providers;

namespace WorkloadFederation.Gateway.DevIssuer;

/// <summary>The outcome of a mint request: a token or a client error. Starts failed.</summary>
internal readonly record struct DevMintResult(DevTokenResponse? Response, string? Error)
{
    public static DevMintResult Success(DevTokenResponse response) => new(response, null);

    public static DevMintResult Failure(string error) => new(null, error);
}

/// <summary>Discovery, JWKS and token minting of the development issuer.</summary>
internal sealed class DevIssuerService(DevIssuerOptions options, DevIssuerKey key, IServer server, TimeProvider time)
{
    /// <summary>Registered claims the issuer sets itself; a request may not supply them in <c>claims</c>.</summary>
    private static readonly string[] Reserved = [RegisteredClaims.Issuer, RegisteredClaims.Audience, RegisteredClaims.Expires, RegisteredClaims.NotBefore, RegisteredClaims.IssuedAt, RegisteredClaims.JwtId];

    private const int MaxAudienceLength = 512;

    private string? _issuer;

    public string JwksJson => key.JwksJson;

    /// <summary>The issuer URL, or null when the node has no loopback http address (the dev issuer is then unavailable).</summary>
    public string? Issuer
    {
        get
        {
            if (_issuer is not null)
            {
                return _issuer;
            }

            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            _issuer = options.IssuerUrl?.TrimEnd('/') ?? DevIssuerGuard.IssuerFor(addresses);
            return _issuer;
        }
    }

    public string DiscoveryJson(string issuer)
    {
        var document = new JsonObject
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = issuer + DevIssuerEndpoints.JwksPath,
            ["token_endpoint"] = issuer + DevIssuerEndpoints.TokenPath,
            ["response_types_supported"] = new JsonArray("id_token"),
            ["subject_types_supported"] = new JsonArray("public"),
            ["id_token_signing_alg_values_supported"] = new JsonArray(JwtAlgorithms.RS256),
            ["claims_supported"] = new JsonArray([.. ProviderPresets.All.SelectMany(p => p.Claims).Select(c => c.Name).Distinct(StringComparer.Ordinal).Select(n => (JsonNode)n)]),
        };
        return document.ToJsonString();
    }

    public DevMintResult Mint(string issuer, DevTokenRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Audience))
        {
            return DevMintResult.Failure("audience is required (the audience the trust expects, by default the tenant domain).");
        }

        if (request.Audience.Length > MaxAudienceLength)
        {
            return DevMintResult.Failure($"audience is longer than the limit of {MaxAudienceLength} characters.");
        }

        var lifetime = request.LifetimeSeconds ?? options.DefaultLifetimeSeconds;
        if (lifetime < 1 || lifetime > options.MaxLifetimeSeconds)
        {
            return DevMintResult.Failure($"lifetime_seconds must be between 1 and {options.MaxLifetimeSeconds}.");
        }

        if (request.Preset is { } preset && !ProviderPresets.TryGet(preset, out _))
        {
            return DevMintResult.Failure($"preset must be one of {string.Join(", ", ProviderPresets.All.Select(p => p.Id))}.");
        }

        JsonObject caller;
        if (request.Claims is not { } claimsElement || claimsElement.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            caller = [];
        }
        else if (claimsElement.ValueKind != JsonValueKind.Object)
        {
            return DevMintResult.Failure("claims must be a JSON object.");
        }
        else
        {
            caller = JsonObject.Create(claimsElement)!;
            foreach (var name in Reserved)
            {
                if (caller.ContainsKey(name))
                {
                    return DevMintResult.Failure($"claims.{name} is set by the issuer; use audience and lifetime_seconds instead.");
                }
            }
        }

        var claims = DevTokenShaper.Shape(request.Preset, caller);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        claims[RegisteredClaims.Issuer] = issuer;
        claims[RegisteredClaims.Audience] = request.Audience;
        claims[RegisteredClaims.IssuedAt] = now;
        if (DevTokenShaper.HasNotBefore(request.Preset))
        {
            claims[RegisteredClaims.NotBefore] = now;
        }

        claims[RegisteredClaims.Expires] = now + lifetime;
        claims[RegisteredClaims.JwtId] = Guid.NewGuid().ToString("D");

        var header = $$"""{"alg":"{{JwtAlgorithms.RS256}}","kid":"{{key.KeyId}}","typ":"JWT"}""";
        var signingInput = Base64Url.Encode(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        return DevMintResult.Success(new DevTokenResponse(signingInput + "." + Base64Url.Encode(signature), lifetime, issuer));
    }
}
