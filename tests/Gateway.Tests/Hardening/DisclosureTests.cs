using System.Net;
using System.Text.Json;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Bootstrap;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>A fresh hostile node for the disclosure cases.</summary>
public sealed class DisclosureFixture : HostileNodeFixture;

/// <summary>
/// Attack class "disclosure": what an answer gives away beyond what the caller may know — a secret a shared cache
/// could keep, which credential ids exist, another principal's token details, when the node will be back.
/// </summary>
public sealed class DisclosureTests(DisclosureFixture fixture) : IClassFixture<DisclosureFixture>
{
    [Fact]
    public async Task Disclosure_CredentialCreationWithSecret_IsNeverCacheable()
    {
        var reply = await fixture.AdminAsync(HttpMethod.Post, $"/service-principals/{fixture.PrincipalId}/credentials", new { display_name = "cache" });

        Assert.Equal(HttpStatusCode.Created, reply.Status);
        Assert.False(string.IsNullOrEmpty(reply.Str("client_secret")));
        Assert.True(reply.Headers.CacheControl?.NoStore == true, $"Cache-Control: {reply.Headers.CacheControl}");
    }

    [Fact]
    public async Task Disclosure_DevIssuerToken_IsNeverCacheable()
    {
        var reply = await fixture.Node.Http.SendJsonAsync(HttpMethod.Post, EndpointPaths.DevOidcPrefix + "/token", null, new { audience = fixture.Tenant });

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.True(reply.Headers.CacheControl?.NoStore == true, $"Cache-Control: {reply.Headers.CacheControl}");
    }

    [Fact]
    public async Task Disclosure_AssertionForUnknownCredential_AnswersLikeWrongKeyForExistingOne()
    {
        // A well-formed secret of a key the node has never seen (its kid names no credential).
        var stranger = CredentialSecrets.Generate(fixture.Tenant, "cred_" + Guid.NewGuid().ToString("N")[..16]).Secret;
        var unknownClientId = $"quiet-heron-{Random.Shared.Next(10000, 99999)}@{fixture.Tenant}/spc";
        var now = DateTimeOffset.UtcNow;

        var unknown = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token,
            Wire.AssertionForm(unknownClientId, Wire.Assertion(unknownClientId, stranger, fixture.Tenant, now)));
        var wrongKey = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token,
            Wire.AssertionForm(fixture.CredentialA.ClientId, Wire.Assertion(fixture.CredentialA.ClientId, stranger, fixture.Tenant, now, withKid: false)));
        var wrongKid = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token,
            Wire.AssertionForm(fixture.CredentialA.ClientId, Wire.Assertion(fixture.CredentialA.ClientId, stranger, fixture.Tenant, now)));

        foreach (var reply in new[] { wrongKey, wrongKid })
        {
            Assert.Equal(unknown.Status, reply.Status);
            Assert.Equal(unknown.Str("error"), reply.Str("error"));
            Assert.Equal(unknown.Str("error_description"), reply.Str("error_description"));
        }

        // The difference stays in the audit reason, for the tenant's administrators only.
        Assert.Equal(DenialReasons.CredentialNotFound, (await fixture.NextTokenEventAsync(unknownClientId, AuditEventTypes.TokenDenied)).GetProperty("reason").GetString());
        Assert.Equal(DenialReasons.AssertionInvalid, (await fixture.NextTokenEventAsync(fixture.CredentialA.ClientId, AuditEventTypes.TokenDenied)).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Disclosure_BasicUserIntrospectsAnotherPrincipalsToken_SeesOnlyInactive()
    {
        var basic = await AttackSupport.BasicUserAsync(fixture, "nosy");
        var reader = await AttackSupport.PrincipalAsync(fixture, "reader", [BuiltInRoles.ReadOnlyAdministrator]);
        var victimToken = await fixture.Node.Http.LoginAsync(fixture.CredentialA.ClientId, fixture.CredentialA.Secret);

        var byStranger = await Introspect(basic.Token, victimToken);
        var ownToken = await Introspect(basic.Token, basic.Token);
        var byReader = await Introspect(reader.Token, victimToken);
        var byAdmin = await Introspect(fixture.AdminToken, victimToken);

        Assert.False(byStranger.GetProperty("active").GetBoolean(), byStranger.ToString());
        Assert.False(byStranger.TryGetProperty("sub", out _));
        Assert.True(ownToken.GetProperty("active").GetBoolean());
        Assert.True(byReader.GetProperty("active").GetBoolean());
        Assert.True(byAdmin.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Disclosure_IssuerKeysUnreachable_503CarriesRetryAfter()
    {
        var provider = await fixture.AdminAsync(HttpMethod.Post, "/providers",
            new { display_name = "gone", preset = "custom", issuer_url = "http://127.0.0.1:9/gone", jwks_uri = "http://127.0.0.1:9/gone/jwks" });
        Assert.True(provider.Status == HttpStatusCode.Created, provider.ToString());
        var trust = await fixture.AdminAsync(HttpMethod.Post, $"/service-principals/{fixture.PrincipalId}/trusts",
            new { display_name = "gone", provider_id = provider.Str("id"), condition = "true" });
        var token = Forge.Signed(Forge.Header("RS256", "rsa-1"), fixture.ClaimsJson(c => c["iss"] = "http://127.0.0.1:9/gone"), fixture.Rsa, "RS256");

        var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(trust.Str("client_id"), token));

        Assert.True(reply.Status == HttpStatusCode.ServiceUnavailable, reply.ToString());
        Assert.Equal(OAuthErrors.TemporarilyUnavailable, reply.Str("error"));
        Assert.NotNull(reply.Headers.RetryAfter?.Delta);
        Assert.InRange(reply.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 300);
    }

    private async Task<JsonElement> Introspect(string caller, string token)
    {
        var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Introspect, new Dictionary<string, string> { [OAuthParameters.Token] = token }, caller);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Json.Clone();
    }
}

/// <summary>
/// Attack class "side channel on other tenants": audit ids and cursors must say nothing about other tenants'
/// activity. Tenant B's first events get the same ids as tenant A's first events, whatever A did before.
/// </summary>
public sealed class AuditSideChannelTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    [Fact]
    public async Task SideChannel_AuditIds_DependOnlyOnTheTenantsOwnEvents()
    {
        // Tenant A (the fixture's) has events; many more now, then tenant B starts from nothing.
        for (var i = 0; i < 5; i++)
        {
            await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm($"lost-otter-{i:00000}@{fixture.Tenant}/spc", "x"));
        }

        var store = fixture.Node.GetService<IConfigurationStore>();
        var other = await TenantProvisioner.CreateAsync(store, "side.example.com", DateTimeOffset.UtcNow, CancellationToken.None);
        await fixture.Node.GetService<ChangeFeedFollower>().CatchUpAsync(other.Version, CancellationToken.None);
        var otherToken = await fixture.Node.Http.LoginAsync(other.Admin.ClientId, other.Admin.ClientSecret);
        await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm("lost-otter-00001@side.example.com/spc", "x"));

        var a = await AttackSupport.WaitForAuditAsync(fixture.Node.Http, fixture.AdminToken, e => e.Count >= 3, "tenant A's events");
        var b = await AttackSupport.WaitForAuditAsync(fixture.Node.Http, otherToken, e => e.Count >= 2, "tenant B's events");

        var idsA = a.Take(2).Select(e => e.GetProperty("id").GetString()).ToList();
        var idsB = b.Take(2).Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(idsA, idsB);
        Assert.All(idsB, id => Assert.False(long.TryParse(id, out _), $"'{id}' reads as a number"));
    }
}
