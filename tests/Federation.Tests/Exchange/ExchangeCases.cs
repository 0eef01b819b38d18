using System.Net;
using System.Text.Json.Nodes;
using WorkloadFederation.Contracts.Audit;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Exchange;

/// <summary>One named exchange input and the decision expected for it (null reason = a token is issued).</summary>
public sealed record ExchangeCase(
    string Name,
    Func<ExchangeFixture> Fixture,
    Func<ExchangeFixture, string> Token,
    string? ExpectedReason,
    string ClientIp = "203.0.113.10",
    Action<ExchangeFixture>? Arrange = null);

/// <summary>The table of cases shared by the exchange tests and the runner-agreement test.</summary>
public static class ExchangeCases
{
    private static ExchangeFixture Default() => new();

    public static IReadOnlyDictionary<string, ExchangeCase> All { get; } = new List<ExchangeCase>
    {
        new("valid token", Default, f => f.Token(), null),
        new("aud as array containing the tenant", Default, f => f.Token(c => c["aud"] = new JsonArray("sts.amazonaws.com", "acme.example.com")), null),
        new("token without nbf", Default, f => f.Token(c => c.Remove("nbf")), null),
        new("not a JWT", Default, _ => "not-a-jwt", DenialReasons.InvalidJwtFormat),
        new("five segments (JWE)", Default, _ => "a.b.c.d.e", DenialReasons.InvalidJwtFormat),
        new("payload not JSON", Default, f => TestIssuer.Encode("{\"alg\":\"RS256\"}") + ".bm90IGpzb24.c2ln", DenialReasons.InvalidJwtFormat),
        new("issuer differs", Default, f => f.Token(c => c["iss"] = "https://gitlab.com"), DenialReasons.IssuerMismatch),
        new("issuer missing", Default, f => f.Token(c => c.Remove("iss")), DenialReasons.IssuerMismatch),
        new("issuer with trailing slash", Default, f => f.Token(c => c["iss"] = TestIssuer.Issuer + "/"), DenialReasons.IssuerMismatch),
        new("alg none", Default, f => f.Issuer.Mint(f.Claims(), alg: "none"), DenialReasons.AlgorithmNotAllowed),
        new("alg HS256", Default, f => f.Issuer.Mint(f.Claims(), alg: "HS256"), DenialReasons.AlgorithmNotAllowed),
        new("alg ES384 not allowed by the provider", Default, f => f.Issuer.Mint(f.Claims(), alg: "ES384"), DenialReasons.AlgorithmNotAllowed),
        new("unknown kid", Default, f => f.Issuer.Mint(f.Claims(), kid: "key-2"), DenialReasons.UnknownKey),
        new("jku header ignored, unknown kid still refused", Default, f => f.Issuer.Mint(f.Claims(), kid: "attacker", extraHeader: new JsonObject { ["jku"] = "https://evil.example/jwks" }), DenialReasons.UnknownKey),
        new("tampered payload", Default, f => Tamper(f.Token()), DenialReasons.SignatureInvalid),
        new("audience differs", Default, f => f.Token(c => c["aud"] = "sts.amazonaws.com"), DenialReasons.AudienceMismatch),
        new("audience missing", Default, f => f.Token(c => c.Remove("aud")), DenialReasons.AudienceMismatch),
        new("expired", Default, f => f.Token(c => c["exp"] = Now(f) - 61), DenialReasons.TokenExpired),
        new("expired within skew", Default, f => f.Token(c => c["exp"] = Now(f) - 30), null),
        new("exp missing", Default, f => f.Token(c => c.Remove("exp")), DenialReasons.InvalidJwtFormat),
        new("nbf in the future", Default, f => f.Token(c => c["nbf"] = Now(f) + 120), DenialReasons.TokenNotYetValid),
        new("iat in the future", Default, f => f.Token(c => c["iat"] = Now(f) + 120), DenialReasons.TokenNotYetValid),
        new("iat older than max age", Default, f => f.Token(c => c["iat"] = Now(f) - 601), DenialReasons.TokenTooOld),
        new("condition false", Default, f => f.Token(c => c["repository"] = "acme/other"), DenialReasons.CelConditionNotMet),
        new("condition error: missing claim", () => new ExchangeFixture("claims.environment == 'production'"), f => f.Token(), DenialReasons.CelEvaluationError),
        new("ip inside allowlist", () => new ExchangeFixture(ipAllowlist: ["203.0.113.0/24"]), f => f.Token(), null),
        new("ip outside allowlist", () => new ExchangeFixture(ipAllowlist: ["10.0.0.0/8"]), f => f.Token(), DenialReasons.IpNotAllowed),
        new("provider keys unavailable", Default, f => f.Token(), DenialReasons.ProviderKeysUnavailable, Arrange: f => f.Keys.Unavailable = true),
        new("trust disabled", () => new ExchangeFixture(trustEnabled: false), f => f.Token(), DenialReasons.TrustDisabled),
        new("principal disabled", () => new ExchangeFixture(principalEnabled: false), f => f.Token(), DenialReasons.SpDisabled),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    public static IPAddress Ip(ExchangeCase c) => IPAddress.Parse(c.ClientIp);

    private static long Now(ExchangeFixture f) => f.Time.GetUtcNow().ToUnixTimeSeconds();

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        payload["repository"] = "acme/app-evil";
        return $"{parts[0]}.{TestIssuer.Encode(payload.ToJsonString())}.{parts[2]}";
    }
}
