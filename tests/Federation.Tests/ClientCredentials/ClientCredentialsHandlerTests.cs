using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.ClientCredentials;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Tests.Exchange;
using WorkloadFederation.Federation.Tests.Snapshot;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Federation.Tests.ClientCredentials;

public sealed class ClientCredentialsHandlerTests
{
    private static readonly IPAddress Caller = IPAddress.Parse("198.51.100.7");
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryConfigurationStore _replay = new();
    private readonly ListAuditSink _audit = new();
    private readonly SnapshotHolder _holder;
    private readonly ClientCredentialsHandler _handler;
    private readonly GeneratedCredentialKey _key;
    private readonly Credential _credential;
    private readonly AccessTokenValidator _validator;

    public ClientCredentialsHandlerTests()
    {
        _key = CredentialSecrets.Generate(TestEntities.Tenant, "cred-1");
        _credential = TestEntities.Credential(_key.PublicKey, expiresAt: _time.GetUtcNow().AddDays(30), scopedRoles: ["read"]);
        var compiler = new SnapshotCompiler(new CountingConditionCompiler(), TestKeys.KeyEncryption, _time);
        _holder = new SnapshotHolder(compiler.Empty());
        _holder.Publish(compiler.Build(TestEntities.State(
            2, TestEntities.TenantRecord(), TestEntities.Principal(roles: ["deploy", "read"]), _credential,
            TestKeys.NewSigningKey(_time.GetUtcNow().AddDays(-1)))));
        var options = new IssuedTokenOptions { Issuer = "https://{tenant}" };
        _handler = new ClientCredentialsHandler(
            _holder, new StoreReplayGuard(_replay), new AccessTokenIssuer(options, _time), _audit, new ClientCredentialsOptions(), _time,
            NullLogger<ClientCredentialsHandler>.Instance);
        _validator = new AccessTokenValidator(options, _time);
    }

    private byte[] Seed => ClientSecret.TryParse(_key.Secret, out var s, out _) ? s.PrivateKey : throw new InvalidOperationException();

    private JsonObject Claims(Action<JsonObject>? change = null)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = _credential.ClientId,
            ["sub"] = _credential.ClientId,
            ["aud"] = TestEntities.Tenant,
            ["iat"] = now,
            ["exp"] = now + 120,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        change?.Invoke(claims);
        return claims;
    }

    private string Assertion(JsonObject? claims = null, string alg = "EdDSA", string? kid = "cred-1", byte[]? seed = null)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        var input = TestIssuer.Encode(header.ToJsonString()) + "." + TestIssuer.Encode((claims ?? Claims()).ToJsonString());
        var signature = Ed25519Keys.Sign(seed ?? Seed, Encoding.ASCII.GetBytes(input));
        return input + "." + Base64Url.EncodeToString(signature);
    }

    private ValueTask<GrantResult> WithAssertion(string assertion, IPAddress? ip = null) => _handler.HandleAsync(
        new ClientCredentialsRequest(_credential.ClientId, ClientAssertionTypes.JwtBearer, assertion, null, ip ?? Caller), default);

    private ValueTask<GrantResult> WithSecret(string secret, IPAddress? ip = null) => _handler.HandleAsync(
        new ClientCredentialsRequest(_credential.ClientId, null, null, secret, ip ?? Caller), default);

    [Fact]
    public async Task Assertion_Valid_IssuesA3600SecondTokenWithEffectiveRoles()
    {
        var result = await WithAssertion(Assertion());

        Assert.True(result.Success, result.ToString());
        Assert.Equal(3600, result.ExpiresIn);
        Assert.Null(result.IssuedTokenType);
        var validation = _validator.Validate(result.AccessToken, _holder.Current);
        Assert.True(validation.IsActive, validation.Reason);
        Assert.Equal(["read"], validation.Identity!.Roles);
        Assert.Equal("cred-1", validation.Identity.CredentialId);
        var audit = Assert.Single(_audit.Events);
        Assert.Equal(AuditEventTypes.TokenIssued, audit.Type);
        Assert.Equal("cred-1", audit.CredentialId);
        Assert.Equal("sp-1", audit.PrincipalId);
    }

    [Fact]
    public async Task Assertion_FullySpecifiedAlgorithmEd25519_IsAccepted()
    {
        // RFC 9864 §2.2: "Ed25519" names the same signature as "EdDSA" over Ed25519.
        var result = await WithAssertion(Assertion(alg: "Ed25519"));

        Assert.True(result.Success, result.ToString());
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("Ed448")]
    [InlineData("EdDSA ")]
    public async Task Assertion_NearMissOfAnEd25519AlgorithmName_IsRefused(string alg)
    {
        var result = await WithAssertion(Assertion(alg: alg));

        Assert.Equal(DenialReasons.AssertionInvalid, result.Reason);
    }

    [Fact]
    public async Task Secret_Valid_IssuesToken()
    {
        var result = await WithSecret(_key.Secret);

        Assert.True(result.Success, result.ToString());
    }

    [Fact]
    public async Task Assertion_Replayed_IsRefused()
    {
        var assertion = Assertion();
        Assert.True((await WithAssertion(assertion)).Success);

        var again = await WithAssertion(assertion);

        Assert.Equal(DenialReasons.AssertionReplayed, again.Reason);
        Assert.Equal(OAuthErrors.InvalidClient, again.Error);
        Assert.Equal(401, again.StatusCode);
    }

    [Fact]
    public async Task Assertion_RefusedForAnotherReason_DoesNotBurnItsJti()
    {
        var claims = Claims();
        _holder.Publish(_holder.Current.Apply(new ChangeBatch(3, [TestEntities.Change(3, TestEntities.Principal(enabled: false, roles: ["deploy", "read"]))])));
        Assert.Equal(DenialReasons.SpDisabled, (await WithAssertion(Assertion(claims))).Reason);

        _holder.Publish(_holder.Current.Apply(new ChangeBatch(4, [TestEntities.Change(4, TestEntities.Principal(roles: ["deploy", "read"]))])));

        Assert.True((await WithAssertion(Assertion(claims))).Success);
    }

    public static TheoryData<string> AssertionCases() => ["wrong alg", "kid of another credential", "signed by another key", "iss differs", "sub differs", "aud differs", "exp missing", "expired", "exp more than 5 minutes ahead", "lives 301 seconds", "iat missing", "iat in the future", "nbf in the future", "jti missing", "jti too long", "not a JWT"];

    [Theory]
    [MemberData(nameof(AssertionCases))]
    public async Task Assertion_Invalid_IsRefusedAsAssertionInvalid(string name)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var assertion = name switch
        {
            "wrong alg" => Assertion(alg: "ES256"),
            "kid of another credential" => Assertion(kid: "cred-2"),
            "signed by another key" => Assertion(seed: Ed25519Keys.Generate().PrivateKey),
            "iss differs" => Assertion(Claims(c => c["iss"] = "other-yak-00001@acme.example.com/spc")),
            "sub differs" => Assertion(Claims(c => c["sub"] = "x")),
            "aud differs" => Assertion(Claims(c => c["aud"] = "other.example.com")),
            "exp missing" => Assertion(Claims(c => c.Remove("exp"))),
            "expired" => Assertion(Claims(c => c["exp"] = now - 61)),
            "exp more than 5 minutes ahead" => Assertion(Claims(c => c["exp"] = now + 361 + 60)),
            "lives 301 seconds" => Assertion(Claims(c => c["exp"] = now + 301)),
            "iat missing" => Assertion(Claims(c => c.Remove("iat"))),
            "iat in the future" => Assertion(Claims(c => c["iat"] = now + 120)),
            "nbf in the future" => Assertion(Claims(c => c["nbf"] = now + 120)),
            "jti missing" => Assertion(Claims(c => c.Remove("jti"))),
            "jti too long" => Assertion(Claims(c => c["jti"] = new string('j', 257))),
            _ => "not.a.jwt",
        };

        var result = await WithAssertion(assertion);

        Assert.Equal(DenialReasons.AssertionInvalid, result.Reason);
        Assert.Equal(401, result.StatusCode);
        Assert.Equal(DenialReasons.AssertionInvalid, Assert.Single(_audit.Events).Reason);
    }

    [Theory]
    [InlineData("https://acme.example.com/auth/v1/token")]
    [InlineData("acme.example.com")]
    public async Task Assertion_AcceptedAudiences_AreTheTenantOrTheTokenEndpoint(string audience)
    {
        Assert.True((await WithAssertion(Assertion(Claims(c => c["aud"] = new JsonArray(audience))))).Success);
    }

    [Fact]
    public async Task Assertion_WithoutKid_IsAccepted()
    {
        Assert.True((await WithAssertion(Assertion(kid: null))).Success);
    }

    [Fact]
    public async Task Secret_OfAnotherCredential_IsRefused()
    {
        var other = CredentialSecrets.Generate(TestEntities.Tenant, "cred-1");

        var result = await WithSecret(other.Secret);

        Assert.Equal(DenialReasons.ClientSecretInvalid, result.Reason);
        Assert.Equal(401, result.StatusCode);
    }

    [Theory]
    [InlineData("secret-token:acme.example.com:v1:AAAA")]
    [InlineData("hunter2")]
    public async Task Secret_Malformed_IsRefusedWithoutEchoingIt(string secret)
    {
        var result = await WithSecret(secret);

        Assert.Equal(DenialReasons.ClientSecretInvalid, result.Reason);
        Assert.DoesNotContain(secret, result.ErrorDescription!, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, _audit.Events[0].Detail!, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> StateCases() => new()
    {
        { "revoked", DenialReasons.CredentialRevoked },
        { "expired", DenialReasons.CredentialExpired },
        { "principal disabled", DenialReasons.SpDisabled },
        { "ip outside allowlist", DenialReasons.IpNotAllowed },
    };

    [Theory]
    [MemberData(nameof(StateCases))]
    public async Task State_Refusal_HasItsReason(string name, string reason)
    {
        var change = name switch
        {
            "revoked" => TestEntities.Change(3, _credential with { RevokedAt = _time.GetUtcNow() }),
            "expired" => TestEntities.Change(3, _credential with { ExpiresAt = _time.GetUtcNow().AddSeconds(-1) }),
            "principal disabled" => TestEntities.Change(3, TestEntities.Principal(enabled: false)),
            _ => TestEntities.Change(3, _credential with { IpAllowlist = ["10.0.0.0/8"] }),
        };
        _holder.Publish(_holder.Current.Apply(new ChangeBatch(3, [change])));

        Assert.Equal(reason, (await WithAssertion(Assertion())).Reason);
        Assert.Equal(reason, (await WithSecret(_key.Secret)).Reason);
    }

    [Fact]
    public async Task Lifetime_CredentialExpiringSoon_IsTheRemainingLife()
    {
        _holder.Publish(_holder.Current.Apply(new ChangeBatch(3, [TestEntities.Change(3, _credential with { ExpiresAt = _time.GetUtcNow().AddSeconds(600) })])));

        var result = await WithSecret(_key.Secret);

        Assert.Equal(600, result.ExpiresIn);
    }

    [Theory]
    [InlineData(null, null, null, "client_id is required")]
    [InlineData("brave-heron-00001@acme.example.com/spc", null, null, "give exactly one of")]
    [InlineData("brave-heron-00001@acme.example.com/spc", "a.b.c", "secret", "give exactly one of")]
    public async Task Request_Malformed_IsInvalidRequest(string? clientId, string? assertion, string? secret, string expected)
    {
        var result = await _handler.HandleAsync(new ClientCredentialsRequest(clientId, assertion is null ? null : ClientAssertionTypes.JwtBearer, assertion, secret, Caller), default);

        Assert.Equal(OAuthErrors.InvalidRequest, result.Error);
        Assert.StartsWith(expected, result.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_WrongAssertionType_IsInvalidRequest()
    {
        var result = await _handler.HandleAsync(new ClientCredentialsRequest(_credential.ClientId, "urn:other", Assertion(), null, Caller), default);

        Assert.Equal(OAuthErrors.InvalidRequest, result.Error);
    }

    [Fact]
    public async Task Request_UnknownClientId_IsInvalidClient()
    {
        var result = await _handler.HandleAsync(new ClientCredentialsRequest("quiet-yak-00001@acme.example.com/spc", null, null, _key.Secret, Caller), default);

        Assert.Equal(DenialReasons.CredentialNotFound, result.Reason);
        Assert.Equal(OAuthErrors.InvalidClient, result.Error);
        Assert.Equal(401, result.StatusCode);
    }

    [Fact]
    public async Task Request_ReplayStoreDown_IsTemporarilyUnavailable()
    {
        var handler = new ClientCredentialsHandler(
            _holder, new StoreReplayGuard(new FailingReplayStore()), new AccessTokenIssuer(new IssuedTokenOptions { Issuer = "https://{tenant}" }, _time), _audit,
            new ClientCredentialsOptions(), _time, NullLogger<ClientCredentialsHandler>.Instance);

        var result = await handler.HandleAsync(new ClientCredentialsRequest(_credential.ClientId, ClientAssertionTypes.JwtBearer, Assertion(), null, Caller), default);

        Assert.Equal(503, result.StatusCode);
        Assert.Equal(OAuthErrors.TemporarilyUnavailable, result.Error);
    }

    private sealed class FailingReplayStore : IReplayStore
    {
        public Task<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("down");

        public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
