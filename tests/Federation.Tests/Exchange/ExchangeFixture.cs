using Base64Url = System.Buffers.Text.Base64Url;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Jwt;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Tests.Snapshot;
using WorkloadFederation.Federation.TrustTesting;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Federation.Tests.Exchange;

/// <summary>A local OIDC issuer for tests: an RSA-2048 key and a minting function.</summary>
public sealed class TestIssuer
{
    public const string Issuer = "https://token.actions.githubusercontent.com";
    public const string KeyId = "key-1";

    private static readonly RSA SharedRsa = RSA.Create(2048);
    private static readonly ECDsa SharedEc = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public RSA Rsa => SharedRsa;

    public ECDsa Ec => SharedEc;

    public VerificationKey RsaKey { get; } = new RsaVerificationKey(KeyId, null, SharedRsa.ExportParameters(false), 2048);

    /// <summary>Signs <paramref name="payload"/> with a header; <paramref name="alg"/> chooses RS256, ES384, or a forged "none"/"HS256".</summary>
    public string Mint(JsonObject payload, string alg = "RS256", string? kid = KeyId, JsonObject? extraHeader = null)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        foreach (var (name, value) in extraHeader ?? [])
        {
            header[name] = value?.DeepClone();
        }

        var signingInput = Encode(header.ToJsonString()) + "." + Encode(payload.ToJsonString());
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = alg switch
        {
            "RS256" => SharedRsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "ES384" => SharedEc.SignData(data, HashAlgorithmName.SHA384),
            "HS256" => HMACSHA256.HashData(Encoding.UTF8.GetBytes("secret"), data),
            _ => [],
        };
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}

/// <summary>A provider key cache double: knows the test issuer's key by kid; can be made unavailable.</summary>
public sealed class FakeProviderKeyCache(TestIssuer issuer) : IProviderKeyCache
{
    public bool Unavailable { get; set; }

    public int Resolves { get; private set; }

    public ValueTask<ProviderKeyResult> ResolveAsync(ProviderKeySource source, string? kid, string alg, CancellationToken cancellationToken)
    {
        Resolves++;
        if (Unavailable)
        {
            return ValueTask.FromResult(ProviderKeyResult.Unavailable("the issuer's JWKS could not be fetched"));
        }

        return ValueTask.FromResult(kid == TestIssuer.KeyId
            ? ProviderKeyResult.Found(issuer.RsaKey)
            : ProviderKeyResult.UnknownKey("no key has this kid", [TestIssuer.KeyId]));
    }

    public void Prefetch(ProviderKeySource source)
    {
    }

    public void Invalidate(string providerId)
    {
    }

    public ProviderKeyState? GetState(string providerId) => null;

    public Task RefreshDueAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>An audit sink that keeps events in memory.</summary>
public sealed class ListAuditSink : IAuditSink
{
    private readonly List<AuditEvent> _events = [];

    public IReadOnlyList<AuditEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void Record(AuditEvent auditEvent)
    {
        lock (_events)
        {
            _events.Add(auditEvent);
        }
    }
}

/// <summary>Everything an exchange needs, wired with real CEL, real signing and a fake key cache.</summary>
public sealed class ExchangeFixture
{
    public ExchangeFixture(string condition = "claims.repository == 'acme/app'", string[]? ipAllowlist = null, bool trustEnabled = true, bool principalEnabled = true, string issuer = TestIssuer.Issuer)
    {
        Time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        Issuer = new TestIssuer();
        Keys = new FakeProviderKeyCache(Issuer);
        Compiler = new SnapshotCompiler(CelTrustConditionCompiler.Instance, TestKeys.KeyEncryption, Time);
        Trust = TestEntities.Trust(condition: condition, ipAllowlist: ipAllowlist, enabled: trustEnabled, scopedRoles: ["deploy"]);
        Holder = new SnapshotHolder(Compiler.Empty());
        Holder.Publish(Compiler.Build(TestEntities.State(
            3,
            TestEntities.TenantRecord(),
            TestEntities.Principal(enabled: principalEnabled, roles: ["deploy", "read"]),
            TestEntities.Provider(issuer: issuer) with { AllowedAlgorithms = ["RS256"] },
            Trust,
            TestKeys.NewSigningKey(Time.GetUtcNow().AddDays(-1)))));
        Steps = new ExchangeSteps(Keys, new ExchangeOptions());
        TokenOptions = new IssuedTokenOptions { Issuer = "https://{tenant}" };
        Handler = new TokenExchangeHandler(Holder, Steps, new AccessTokenIssuer(TokenOptions, Time), Audit, Time, NullLogger<TokenExchangeHandler>.Instance);
        Runner = new TrustTestRunner(Steps, Time);
    }

    public ManualTimeProvider Time { get; }

    public TestIssuer Issuer { get; }

    public FakeProviderKeyCache Keys { get; }

    public SnapshotCompiler Compiler { get; }

    public Trust Trust { get; }

    public SnapshotHolder Holder { get; }

    public ExchangeSteps Steps { get; }

    public IssuedTokenOptions TokenOptions { get; }

    public ListAuditSink Audit { get; } = new();

    public TokenExchangeHandler Handler { get; }

    public TrustTestRunner Runner { get; }

    public CompiledTrust CompiledTrust => Holder.Current.TryGetTrustByClientId(Trust.ClientId, out var t) ? t : throw new InvalidOperationException();

    /// <summary>A GitHub-Actions-shaped claim set valid now.</summary>
    public JsonObject Claims(Action<JsonObject>? change = null)
    {
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = TestIssuer.Issuer,
            ["aud"] = TestEntities.Tenant,
            ["sub"] = "repo:acme/app:ref:refs/heads/main",
            ["repository"] = "acme/app",
            ["ref"] = "refs/heads/main",
            ["iat"] = now - 30,
            ["nbf"] = now - 30,
            ["exp"] = now + 270,
            ["jti"] = Guid.NewGuid().ToString(),
        };
        change?.Invoke(claims);
        return claims;
    }

    public string Token(Action<JsonObject>? change = null) => Issuer.Mint(Claims(change));
}
