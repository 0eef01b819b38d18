using System.Net;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>A fresh hostile node for the principal case (disabling the shared principal would disturb other classes).</summary>
public sealed class PrincipalRevocationFixture : HostileNodeFixture;

/// <summary>A fresh hostile node for the trust case.</summary>
public sealed class TrustRevocationFixture : HostileNodeFixture;

/// <summary>What the revocation cases share: introspection by the admin and waiting out the current second.</summary>
internal static class Revocation
{
    public static async Task<bool> IsActiveAsync(HostileNodeFixture fixture, string token)
    {
        var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Introspect,
            new Dictionary<string, string> { [OAuthParameters.Token] = token }, fixture.AdminToken);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Json.GetProperty("active").GetBoolean();
    }

    public static async Task<string> ExchangeAsync(HostileNodeFixture fixture, string trustClientId, ForgeKey key, string realm = "main")
    {
        var token = Forge.Signed(Forge.Header("RS256", key.Kid), fixture.ClaimsJson(realm: realm), key, "RS256");
        var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(trustClientId, token));
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Str("access_token");
    }

    /// <summary>
    /// Issued tokens carry <c>iat</c> in whole seconds, so a token issued in the second of a disable counts as issued
    /// before it; a case that expects a fresh token to work waits for the next second (bounded: at most one).
    /// </summary>
    public static Task NextSecondAsync()
    {
        var now = DateTimeOffset.UtcNow;
        return Task.Delay(TimeSpan.FromMilliseconds(1000 - now.Millisecond + 20));
    }
}

/// <summary>
/// Attack class "revival of a stolen token": disable, rotate, re-enable must not bring an old token back. A token
/// issued before a principal or trust was disabled stays inactive for introspection and the admin API forever.
/// </summary>
public sealed class PrincipalRevocationTests(PrincipalRevocationFixture fixture) : IClassFixture<PrincipalRevocationFixture>
{
    [Fact]
    public async Task Revival_PrincipalDisabledThenEnabled_OldTokensStayDeadNewTokensWork()
    {
        var credentialToken = await fixture.Node.Http.LoginAsync(fixture.CredentialA.ClientId, fixture.CredentialA.Secret);
        var exchangedToken = await Revocation.ExchangeAsync(fixture, fixture.MainTrustClientId, fixture.Rsa);
        Assert.True(await Revocation.IsActiveAsync(fixture, credentialToken));
        Assert.True(await Revocation.IsActiveAsync(fixture, exchangedToken));

        var off = await fixture.AdminAsync(HttpMethod.Patch, $"/service-principals/{fixture.PrincipalId}", new { enabled = false });
        Assert.True(off.Status == HttpStatusCode.OK, off.ToString());
        Assert.False(await Revocation.IsActiveAsync(fixture, credentialToken));
        var on = await fixture.AdminAsync(HttpMethod.Patch, $"/service-principals/{fixture.PrincipalId}", new { enabled = true });
        Assert.True(on.Status == HttpStatusCode.OK, on.ToString());

        Assert.False(await Revocation.IsActiveAsync(fixture, credentialToken), "a credential token issued before the disable came back");
        Assert.False(await Revocation.IsActiveAsync(fixture, exchangedToken), "a federated token issued before the disable came back");
        await Revocation.NextSecondAsync();
        var fresh = await fixture.Node.Http.LoginAsync(fixture.CredentialA.ClientId, fixture.CredentialA.Secret);
        Assert.True(await Revocation.IsActiveAsync(fixture, fresh), "a token issued after the re-enable must work");
    }

    [Fact]
    public async Task Revival_CredentialRevoked_ItsTokensStayDeadOtherCredentialsUnaffected()
    {
        var victim = await AttackSupport.PrincipalAsync(fixture, "revoked", ["Read-Only Administrator"]);
        var credentials = await fixture.Node.Http.SendJsonAsync(HttpMethod.Get, $"/api/v1/service-principals/{victim.Id}/credentials", fixture.AdminToken);
        var credentialId = credentials.Json.GetProperty("credentials")[0].GetProperty("id").GetString();

        var revoked = await fixture.Node.Http.SendJsonAsync(HttpMethod.Delete, $"/api/v1/service-principals/{victim.Id}/credentials/{credentialId}", fixture.AdminToken);

        Assert.Equal(HttpStatusCode.NoContent, revoked.Status);
        Assert.False(await Revocation.IsActiveAsync(fixture, victim.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Node.Http.SendJsonAsync(HttpMethod.Get, "/api/v1/roles", victim.Token)).Status);
    }
}

/// <summary>The same attack through a trust: disabling and re-enabling a trust ends the tokens it issued before.</summary>
public sealed class TrustRevocationTests(TrustRevocationFixture fixture) : IClassFixture<TrustRevocationFixture>
{
    [Fact]
    public async Task Revival_TrustDisabledThenEnabled_OldTokensStayDeadOtherTrustsUnaffected()
    {
        var mainToken = await Revocation.ExchangeAsync(fixture, fixture.MainTrustClientId, fixture.Rsa);
        var otherToken = await Revocation.ExchangeAsync(fixture, fixture.OtherTrustClientId, fixture.Other, "other");
        var trusts = await fixture.AdminAsync(HttpMethod.Get, $"/service-principals/{fixture.PrincipalId}/trusts");
        var mainTrust = trusts.Json.GetProperty("trusts").EnumerateArray()
            .Single(t => t.GetProperty("client_id").GetString() == fixture.MainTrustClientId).GetProperty("id").GetString();

        var off = await fixture.AdminAsync(HttpMethod.Patch, $"/service-principals/{fixture.PrincipalId}/trusts/{mainTrust}", new { enabled = false });
        Assert.True(off.Status == HttpStatusCode.OK, off.ToString());
        var on = await fixture.AdminAsync(HttpMethod.Patch, $"/service-principals/{fixture.PrincipalId}/trusts/{mainTrust}", new { enabled = true });
        Assert.True(on.Status == HttpStatusCode.OK, on.ToString());

        Assert.False(await Revocation.IsActiveAsync(fixture, mainToken), "a token of the re-enabled trust issued before the disable came back");
        Assert.True(await Revocation.IsActiveAsync(fixture, otherToken), "another trust's token must stay active");
        await Revocation.NextSecondAsync();
        var fresh = await Revocation.ExchangeAsync(fixture, fixture.MainTrustClientId, fixture.Rsa);
        Assert.True(await Revocation.IsActiveAsync(fixture, fresh), "a token issued after the re-enable must work");
    }
}
