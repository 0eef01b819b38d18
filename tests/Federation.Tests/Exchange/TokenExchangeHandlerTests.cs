using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Tests.Snapshot;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Exchange;

public sealed class TokenExchangeHandlerTests
{
    private static readonly IPAddress Caller = IPAddress.Parse("203.0.113.10");

    [Theory]
    [MemberData(nameof(ExchangeCases.Names), MemberType = typeof(ExchangeCases))]
    public async Task Exchange_Case_GivesExpectedDecisionAndAudit(string name)
    {
        var @case = ExchangeCases.All[name];
        var fixture = @case.Fixture();
        @case.Arrange?.Invoke(fixture);
        var token = @case.Token(fixture);

        var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(fixture.Trust.ClientId, token, TokenTypes.Jwt, ExchangeCases.Ip(@case)), default);

        var audit = Assert.Single(fixture.Audit.Events);
        if (@case.ExpectedReason is null)
        {
            Assert.True(result.Success, result.ToString());
            Assert.Equal(AuditEventTypes.TokenIssued, audit.Type);
        }
        else
        {
            Assert.False(result.Success);
            Assert.Equal(@case.ExpectedReason, result.Reason);
            Assert.Equal(AuditEventTypes.TokenDenied, audit.Type);
            Assert.Equal(@case.ExpectedReason, audit.Reason);
            Assert.Equal(DenialCatalog.DescriptionOf(@case.ExpectedReason), result.ErrorDescription);
            // The description names the check class, never token content.
            Assert.DoesNotContain("acme/", result.ErrorDescription!, StringComparison.Ordinal);
            Assert.DoesNotContain("gitlab", result.ErrorDescription!, StringComparison.Ordinal);
        }

        Assert.Equal(TestEntities.Tenant, audit.Tenant);
        Assert.Equal(fixture.Trust.ClientId, audit.ClientId);
        Assert.Equal(ExchangeCases.Ip(@case).ToString(), audit.ClientIp);
    }

    [Fact]
    public async Task Exchange_Valid_IssuesTokenWithTrustClaimsAndLifetime()
    {
        var fixture = new ExchangeFixture();

        var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(fixture.Trust.ClientId, fixture.Token(), TokenTypes.IdToken, Caller), default);

        Assert.True(result.Success);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal(1800, result.ExpiresIn);
        Assert.Equal(TokenTypes.AccessToken, result.IssuedTokenType);
        var response = result.ToTokenResponse();
        Assert.Equal("Bearer", response.TokenType);
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(result.AccessToken!.Split('.')[1]));
        var root = payload.RootElement;
        Assert.Equal("sp-1", root.GetProperty(AccessTokenClaims.Subject).GetString());
        Assert.Equal("trust-1", root.GetProperty(AccessTokenClaims.TrustId).GetString());
        Assert.Equal(TestIssuer.Issuer, root.GetProperty(AccessTokenClaims.SubjectIssuer).GetString());
        Assert.Equal("repo:acme/app:ref:refs/heads/main", root.GetProperty(AccessTokenClaims.SubjectSubject).GetString());
        Assert.Equal(["deploy"], root.GetProperty(AccessTokenClaims.Roles).EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["federation"], root.GetProperty(AccessTokenClaims.AuthenticationMethods).EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("repo:acme/app:ref:refs/heads/main", fixture.Audit.Events[0].Subject);
    }

    [Fact]
    public async Task Exchange_UnknownDisabledTrustAndDisabledPrincipal_LookTheSameToTheCaller()
    {
        var unknown = new ExchangeFixture();
        var disabled = new ExchangeFixture(trustEnabled: false);
        var spDisabled = new ExchangeFixture(principalEnabled: false);

        var a = await unknown.Handler.HandleAsync(new TokenExchangeRequest("quiet-yak-00001@acme.example.com/wfe", unknown.Token(), TokenTypes.Jwt, Caller), default);
        var b = await disabled.Handler.HandleAsync(new TokenExchangeRequest(disabled.Trust.ClientId, disabled.Token(), TokenTypes.Jwt, Caller), default);
        var c = await spDisabled.Handler.HandleAsync(new TokenExchangeRequest(spDisabled.Trust.ClientId, spDisabled.Token(), TokenTypes.Jwt, Caller), default);

        foreach (var result in new[] { a, b, c })
        {
            Assert.Equal(OAuthErrors.InvalidClient, result.Error);
            Assert.Equal(401, result.StatusCode);
            Assert.Equal(a.ErrorDescription, result.ErrorDescription);
        }

        Assert.Equal([DenialReasons.TrustNotFound, DenialReasons.TrustDisabled, DenialReasons.SpDisabled], new[] { a, b, c }.Select(r => r.Reason));
    }

    [Theory]
    [InlineData(null, "tok", TokenTypes.Jwt, "client_id is required")]
    [InlineData("swift-otter-00001@acme.example.com/wfe", null, TokenTypes.Jwt, "subject_token is required")]
    [InlineData("swift-otter-00001@acme.example.com/wfe", "tok", "urn:ietf:params:oauth:token-type:saml2", "subject_token_type must be")]
    [InlineData("swift-otter-00001@acme.example.com/wfe", "tok", null, "subject_token_type must be")]
    public async Task Exchange_MalformedRequest_IsInvalidRequestNamingTheField(string? clientId, string? token, string? type, string expected)
    {
        var fixture = new ExchangeFixture();

        var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(clientId, token, type, Caller), default);

        Assert.Equal(OAuthErrors.InvalidRequest, result.Error);
        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith(expected, result.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal(DenialReasons.RequestInvalid, Assert.Single(fixture.Audit.Events).Reason);
    }

    [Theory]
    [InlineData("brave-heron-00001@acme.example.com/spc")]
    [InlineData("not a client id")]
    [InlineData("swift-otter-00001@other.example.com/wfe")]
    public async Task Exchange_ClientIdOfAnotherKindOrTenant_IsTrustNotFound(string clientId)
    {
        var fixture = new ExchangeFixture();

        var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(clientId, fixture.Token(), TokenTypes.Jwt, Caller), default);

        Assert.Equal(DenialReasons.TrustNotFound, result.Reason);
    }

    [Fact]
    public async Task Exchange_TrustOfOtherTenantWithSameName_IsNotFound()
    {
        var fixture = new ExchangeFixture();
        var otherTenantId = fixture.Trust.ClientId.Replace(TestEntities.Tenant, TestEntities.OtherTenant, StringComparison.Ordinal);

        var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(otherTenantId, fixture.Token(), TokenTypes.Jwt, Caller), default);

        Assert.Equal(DenialReasons.TrustNotFound, result.Reason);
    }

    [Fact]
    public async Task Exchange_TrustDisabledMidRun_NextExchangeIsRefused()
    {
        var fixture = new ExchangeFixture();
        var request = new TokenExchangeRequest(fixture.Trust.ClientId, fixture.Token(), TokenTypes.Jwt, Caller);
        Assert.True((await fixture.Handler.HandleAsync(request, default)).Success);

        fixture.Holder.Publish(fixture.Holder.Current.Apply(new ChangeBatch(4, [TestEntities.Change(4, fixture.Trust with { Enabled = false })])));

        Assert.Equal(DenialReasons.TrustDisabled, (await fixture.Handler.HandleAsync(request with { SubjectToken = fixture.Token() }, default)).Reason);
    }

    [Fact]
    public async Task Exchange_ConfiguredLifetime_IsExpiresIn()
    {
        var fixture = new ExchangeFixture();
        fixture.Holder.Publish(fixture.Holder.Current.Apply(new ChangeBatch(4, [TestEntities.Change(4, fixture.Trust with { TokenLifetimeSeconds = 900 })])));

        var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(fixture.Trust.ClientId, fixture.Token(), TokenTypes.Jwt, Caller), default);

        Assert.Equal(900, result.ExpiresIn);
    }

    [Fact]
    public async Task Exchange_RandomGarbageTokens_NeverThrow()
    {
        var fixture = new ExchangeFixture();
        var random = new Random(7);
        const string alphabet = "abcXYZ019-_.=+/ {}\"";
        for (var i = 0; i < 500; i++)
        {
            var chars = Enumerable.Range(0, random.Next(0, 200)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray();

            var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(fixture.Trust.ClientId, new string(chars), TokenTypes.Jwt, Caller), default);

            Assert.False(result.Success);
            Assert.True(result.StatusCode is 400 or 401);
        }
    }
}
