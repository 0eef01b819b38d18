using System.Buffers.Text;
using System.Text.Json;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Tests.Snapshot;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Federation.Tests.IssuedTokens;

public sealed class AccessTokenTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly IssuedTokenOptions _options = new() { Issuer = "https://{tenant}" };
    private readonly SnapshotCompiler _compiler;
    private readonly FederationSnapshot _snapshot;
    private readonly AccessTokenIssuer _issuer;
    private readonly AccessTokenValidator _validator;
    private readonly Credential _credential;
    private readonly Trust _trust;

    public AccessTokenTests()
    {
        _compiler = new SnapshotCompiler(new CountingConditionCompiler(), TestKeys.KeyEncryption, _time);
        _credential = TestEntities.Credential(TestKeys.CredentialKey.PublicKey, scopedRoles: ["read"]);
        _trust = TestEntities.Trust();
        _snapshot = _compiler.Build(TestEntities.State(
            10,
            TestEntities.TenantRecord(),
            TestEntities.Principal(roles: ["deploy", "read"]),
            TestEntities.Provider(),
            _credential,
            _trust,
            TestKeys.NewSigningKey(_time.GetUtcNow().AddDays(-1))));
        _issuer = new AccessTokenIssuer(_options, _time);
        _validator = new AccessTokenValidator(_options, _time);
    }

    [Fact]
    public void Issue_ClientCredentials_CarriesTheClaimsOfApiMd()
    {
        var token = Issue(CredentialDescriptor());

        var payload = Payload(token.Token);
        Assert.Equal("https://acme.example.com", payload.GetProperty(AccessTokenClaims.Issuer).GetString());
        Assert.Equal("sp-1", payload.GetProperty(AccessTokenClaims.Subject).GetString());
        Assert.Equal(TestEntities.Tenant, payload.GetProperty(AccessTokenClaims.Audience).GetString());
        Assert.Equal(TestEntities.Tenant, payload.GetProperty(AccessTokenClaims.Tenant).GetString());
        Assert.Equal(_credential.ClientId, payload.GetProperty(AccessTokenClaims.ClientId).GetString());
        Assert.Equal(["read"], payload.GetProperty(AccessTokenClaims.Roles).EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["client_credentials"], payload.GetProperty(AccessTokenClaims.AuthenticationMethods).EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("cred-1", payload.GetProperty(AccessTokenClaims.CredentialId).GetString());
        Assert.Equal(token.Jti, payload.GetProperty(AccessTokenClaims.JwtId).GetString());
        var iat = payload.GetProperty(AccessTokenClaims.IssuedAt).GetInt64();
        Assert.Equal(iat + 3600, payload.GetProperty(AccessTokenClaims.Expires).GetInt64());
        Assert.False(payload.TryGetProperty(AccessTokenClaims.TrustId, out _));
    }

    [Fact]
    public void Issue_Federation_RecordsTrustAndSubject()
    {
        var token = Issue(TrustDescriptor());

        var payload = Payload(token.Token);
        Assert.Equal("trust-1", payload.GetProperty(AccessTokenClaims.TrustId).GetString());
        Assert.Equal("https://token.actions.githubusercontent.com", payload.GetProperty(AccessTokenClaims.SubjectIssuer).GetString());
        Assert.Equal("repo:acme/app:ref:refs/heads/main", payload.GetProperty(AccessTokenClaims.SubjectSubject).GetString());
        Assert.Equal(["federation"], payload.GetProperty(AccessTokenClaims.AuthenticationMethods).EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public void Issue_NoActiveKey_IsFalse()
    {
        Assert.False(_issuer.TryIssue(SigningKeyRing.Empty, CredentialDescriptor(), out _));
    }

    [Fact]
    public void Validate_FreshCredentialToken_IsActiveWithIdentity()
    {
        var token = Issue(CredentialDescriptor());

        var result = _validator.Validate(token.Token, _snapshot);

        Assert.True(result.IsActive, result.Reason);
        var identity = result.Identity!;
        Assert.Equal(TestEntities.Tenant, identity.Tenant);
        Assert.Equal("sp-1", identity.PrincipalId);
        Assert.Equal(["read"], identity.Roles);
        Assert.Equal(_credential.ClientId, identity.ClientId);
        Assert.Equal(token.Jti, identity.Jti);
        Assert.Equal(token.ExpiresAt, identity.ExpiresAt);
        Assert.Equal("cred-1", identity.CredentialId);
    }

    [Fact]
    public void Validate_FederationToken_IsActive()
    {
        var result = _validator.Validate(Issue(TrustDescriptor()).Token, _snapshot);

        Assert.True(result.IsActive, result.Reason);
        Assert.Equal("trust-1", result.Identity!.TrustId);
    }

    [Fact]
    public void Issue_Header_WritesTypAtJwtPlainly()
    {
        var token = Issue(CredentialDescriptor());

        var header = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Token.AsSpan(0, token.Token.IndexOf('.'))));
        Assert.Contains("\"typ\":\"at+jwt\"", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OneSecondBeforeExpiry_IsActiveAndAtExpiry_IsExpired()
    {
        // The node's own tokens get no leeway past exp (the same freshness rules, their own windows).
        var token = Issue(CredentialDescriptor());
        _time.Advance(TimeSpan.FromSeconds(3599));
        Assert.True(_validator.Validate(token.Token, _snapshot).IsActive);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(InactiveReasons.Expired, _validator.Validate(token.Token, _snapshot).Reason);
    }

    [Fact]
    public void Validate_AfterExpiry_IsInactiveExpired()
    {
        var token = Issue(CredentialDescriptor());
        _time.Advance(TimeSpan.FromSeconds(3600));

        Assert.Equal(InactiveReasons.Expired, _validator.Validate(token.Token, _snapshot).Reason);
    }

    [Fact]
    public void Validate_TamperedPayload_IsInactiveSignatureInvalid()
    {
        var token = Issue(CredentialDescriptor()).Token;
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(parts[1]))!;
        payload["sub"] = JsonSerializer.SerializeToElement("sp-2");
        var forged = $"{parts[0]}.{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload))}.{parts[2]}";

        Assert.Equal(InactiveReasons.SignatureInvalid, _validator.Validate(forged, _snapshot).Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData("a..c")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.")]
    public void Validate_Malformed_IsInactiveMalformed(string token)
    {
        Assert.Equal(InactiveReasons.Malformed, _validator.Validate(token, _snapshot).Reason);
    }

    [Fact]
    public void Validate_TokenOfAnotherIssuer_IsInactive()
    {
        var other = new AccessTokenIssuer(new IssuedTokenOptions { Issuer = "https://elsewhere.example" }, _time);
        Assert.True(other.TryIssue(_snapshot.SigningKeys, CredentialDescriptor(), out var token));

        Assert.Equal(InactiveReasons.IssuerMismatch, _validator.Validate(token.Token, _snapshot).Reason);
    }

    [Fact]
    public void Validate_KeyNoLongerPublished_IsInactiveUnknownKey()
    {
        var token = Issue(CredentialDescriptor());
        var otherRing = _compiler.Build(TestEntities.State(1, TestKeys.NewSigningKey(_time.GetUtcNow())));

        Assert.Equal(InactiveReasons.UnknownKey, _validator.Validate(token.Token, otherRing).Reason);
    }

    public static TheoryData<string, string, string> StateChanges => new()
    {
        { "principal disabled", "principal_disabled", InactiveReasons.PrincipalDisabled },
        { "principal deleted", "principal_deleted", InactiveReasons.PrincipalNotFound },
        { "credential revoked", "credential_revoked", InactiveReasons.CredentialRevoked },
        { "credential deleted", "credential_deleted", InactiveReasons.CredentialNotFound },
        { "jti revoked", "jti_revoked", InactiveReasons.Revoked },
    };

    [Theory]
    [MemberData(nameof(StateChanges))]
    public void Validate_AfterStateChange_IsInactive(string name, string change, string expected)
    {
        var token = Issue(CredentialDescriptor());
        var principal = TestEntities.Principal(roles: ["deploy", "read"]);
        EntityChange entity = change switch
        {
            "principal_disabled" => TestEntities.Change(11, principal with { Enabled = false }),
            "principal_deleted" => TestEntities.Change(11, null, EntityKind.ServicePrincipal, TestEntities.Tenant, "sp-1"),
            "credential_revoked" => TestEntities.Change(11, _credential with { RevokedAt = _time.GetUtcNow() }),
            "credential_deleted" => TestEntities.Change(11, null, EntityKind.Credential, TestEntities.Tenant, "cred-1"),
            _ => TestEntities.Change(11, new RevokedToken(token.Jti, TestEntities.Tenant, token.ExpiresAt, _time.GetUtcNow())),
        };

        var next = _snapshot.Apply(new ChangeBatch(11, [entity]));

        Assert.True(_validator.Validate(token.Token, _snapshot).IsActive, name);
        Assert.Equal(expected, _validator.Validate(token.Token, next).Reason);
    }

    [Fact]
    public void Validate_TrustDisabled_IsInactiveTrustDisabled()
    {
        var token = Issue(TrustDescriptor());

        var next = _snapshot.Apply(new ChangeBatch(11, [TestEntities.Change(11, _trust with { Enabled = false })]));

        Assert.Equal(InactiveReasons.TrustDisabled, _validator.Validate(token.Token, next).Reason);
    }

    [Fact]
    public void Validate_CredentialExpired_IsInactiveCredentialExpired()
    {
        var token = Issue(CredentialDescriptor() with { Lifetime = TimeSpan.FromSeconds(3600) });
        var next = _snapshot.Apply(new ChangeBatch(11, [TestEntities.Change(11, _credential with { ExpiresAt = _time.GetUtcNow().AddMinutes(5) })]));
        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(InactiveReasons.CredentialExpired, _validator.Validate(token.Token, next).Reason);
    }

    [Fact]
    public void Validate_RoleRemovedFromPrincipal_NoLongerCounts()
    {
        var token = Issue(TrustDescriptor());
        var next = _snapshot.Apply(new ChangeBatch(11, [TestEntities.Change(11, TestEntities.Principal(roles: ["read"]))]));

        var result = _validator.Validate(token.Token, next);

        Assert.True(result.IsActive);
        Assert.Equal(["read"], result.Identity!.Roles);
    }

    private IssuedAccessToken Issue(AccessTokenDescriptor descriptor)
    {
        Assert.True(_issuer.TryIssue(_snapshot.SigningKeys, descriptor, out var token));
        return token;
    }

    private AccessTokenDescriptor CredentialDescriptor() => new(
        TestEntities.Tenant, "sp-1", _credential.ClientId, ["read"], AuthenticationMethods.ClientCredentials,
        TimeSpan.FromSeconds(3600), CredentialId: "cred-1");

    private AccessTokenDescriptor TrustDescriptor() => new(
        TestEntities.Tenant, "sp-1", _trust.ClientId, ["deploy", "read"], AuthenticationMethods.Federation,
        TimeSpan.FromSeconds(1800), TrustId: "trust-1", SubjectIssuer: "https://token.actions.githubusercontent.com",
        SubjectSubject: "repo:acme/app:ref:refs/heads/main");

    private static JsonElement Payload(string token) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement;
}
