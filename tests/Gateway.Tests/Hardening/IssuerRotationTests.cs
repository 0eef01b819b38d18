using System.Net;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// A <c>custom</c> provider created without <c>allowed_algorithms</c> allows every asymmetric algorithm the node
/// verifies, so an issuer that rotates from an RSA key to an EC (or Ed25519) key keeps working; each key still
/// verifies only with the algorithms of its own <c>kty</c>/<c>crv</c>.
/// </summary>
public sealed class IssuerRotationTests(HostileNodeFixture fixture) : IClassFixture<HostileNodeFixture>
{
    [Fact]
    public async Task Exchange_CustomIssuerRotatesFromRs256ToEs256AndEd25519_KeepsExchanging()
    {
        using var rsa = ForgeKey.NewRsa("rotate-rsa-1");
        using var ec = ForgeKey.NewEc("rotate-ec-2");
        using var ed = ForgeKey.NewEd("rotate-ed-3");
        fixture.Issuer.Publish("rotating", rsa.PublicJwk());
        var provider = await fixture.AdminAsync(HttpMethod.Post, "/providers", new
        {
            display_name = "rotating",
            preset = "custom",
            issuer_url = fixture.Issuer.IssuerOf("rotating"),
        });
        Assert.True(provider.Status == HttpStatusCode.Created, provider.ToString());
        Assert.Contains("ES256", provider.Json.GetProperty("allowed_algorithms").EnumerateArray().Select(a => a.GetString()));
        var trust = await fixture.AdminAsync(HttpMethod.Post, $"/service-principals/{fixture.PrincipalId}/trusts",
            new { display_name = "rotating", provider_id = provider.Str("id"), condition = "claims.repository == 'acme/app'" });
        Assert.True(trust.Status == HttpStatusCode.Created, trust.ToString());
        var clientId = trust.Str("client_id");

        async Task<Reply> ExchangeAsync(ForgeKey key, string alg, string? kid = null) =>
            await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(clientId,
                Forge.Signed(Forge.Header(alg, kid ?? key.Kid), fixture.ClaimsJson(realm: "rotating"), key, alg)));

        var before = await ExchangeAsync(rsa, "RS256");
        Assert.True(before.Status == HttpStatusCode.OK, "RS256 before the rotation: " + before);

        // The issuer rotates: the RSA key is withdrawn, an EC P-256 key and an Ed25519 key appear under new kids.
        fixture.Issuer.Publish("rotating", ec.PublicJwk(), ed.PublicJwk());
        var afterEc = await ExchangeAsync(ec, "ES256");
        Assert.True(afterEc.Status == HttpStatusCode.OK, "ES256 after the rotation: " + afterEc);
        var afterEd = await ExchangeAsync(ed, "Ed25519");
        Assert.True(afterEd.Status == HttpStatusCode.OK, "Ed25519 (RFC 9864 name) after the rotation: " + afterEd);
        var afterEdDsa = await ExchangeAsync(ed, "EdDSA");
        Assert.True(afterEdDsa.Status == HttpStatusCode.OK, "EdDSA after the rotation: " + afterEdDsa);

        // The key type stays bound to the algorithm: an ES256 header naming the Ed25519 key, or RS256 naming the EC key, is refused.
        Assert.Equal(HttpStatusCode.BadRequest, (await ExchangeAsync(ec, "ES256", kid: ed.Kid)).Status);
        var rsOnEc = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(clientId,
            Forge.Signed(Forge.Header("RS256", ec.Kid), fixture.ClaimsJson(realm: "rotating"), rsa, "RS256")));
        Assert.Equal(HttpStatusCode.BadRequest, rsOnEc.Status);
    }
}
