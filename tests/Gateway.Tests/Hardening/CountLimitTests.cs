using System.Net;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>A dev node with small count limits: 3 credentials and 3 trusts per principal, 4 principals and 3 providers per tenant, 600 condition bytes per tenant.</summary>
public sealed class CountLimitFixture : NodeFixture
{
    protected override bool Dev => true;

    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new TunedSqliteBackend(new Dictionary<string, string?>
    {
        ["Limits:MaxCredentialsPerPrincipal"] = "3",
        ["Limits:MaxTrustsPerPrincipal"] = "3",
        ["Limits:MaxPrincipalsPerTenant"] = "4",
        ["Limits:MaxProvidersPerTenant"] = "3",
        ["Limits:MaxConditionBytesPerTenant"] = "600",
    }));
}

/// <summary>
/// Attack class "resource exhaustion by count": an owner (a Basic User) piles credentials and trusts on its
/// principal, an admin piles principals and providers and expensive conditions on a tenant. Each count is refused
/// at its configured limit, and the refusal names the limit.
/// </summary>
public sealed class CountLimitTests(CountLimitFixture fixture) : IClassFixture<CountLimitFixture>
{
    private const string Path = "/api/v1/service-principals";

    [Fact]
    public async Task Counts_EveryLimit_IsRefusedAtTheLimitNamingIt()
    {
        // The bootstrap admin is principal 1; owner 2 and its owned principal 3.
        var owner = await AttackSupport.BasicUserAsync(fixture, "owner");
        var owned = await Admin(HttpMethod.Post, Path, new { display_name = "owned", roles = new[] { BuiltInRoles.BasicUser }, owners = new[] { owner.Id } });
        Assert.Equal(HttpStatusCode.Created, owned.Status);
        var ownedId = owned.Str("id");

        // Credentials: 3 by the owner, the 4th refused.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await As(owner.Token, HttpMethod.Post, $"{Path}/{ownedId}/credentials", new { display_name = $"c{i}" })).Status);
        }

        AssertLimit(await As(owner.Token, HttpMethod.Post, $"{Path}/{ownedId}/credentials", new { display_name = "c3" }), "credentials", "3");

        // Providers: the dev issuer, 2 more, the 4th refused.
        var provider = (await Admin(HttpMethod.Post, "/api/v1/providers", Provider(1))).Str("id");
        Assert.Equal(HttpStatusCode.Created, (await Admin(HttpMethod.Post, "/api/v1/providers", Provider(2))).Status);
        AssertLimit(await Admin(HttpMethod.Post, "/api/v1/providers", Provider(3)), "providers", "3");

        // Trusts: 3 by the owner, the 4th refused by count.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await As(owner.Token, HttpMethod.Post, $"{Path}/{ownedId}/trusts", Trust(provider, "true"))).Status);
        }

        AssertLimit(await As(owner.Token, HttpMethod.Post, $"{Path}/{ownedId}/trusts", Trust(provider, "true")), "trusts", "3");

        // Principals: 4 in all, the 5th refused.
        var fourth = await Admin(HttpMethod.Post, Path, new { display_name = "p4", roles = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Created, fourth.Status);
        AssertLimit(await Admin(HttpMethod.Post, Path, new { display_name = "p5", roles = Array.Empty<string>() }), "service_principals", "4");

        // Condition bytes of the tenant: 3 × 4 bytes so far; a 500-byte condition fits once, a second one does not.
        var big = "claims.sub == '" + new string('a', 484) + "'";
        Assert.Equal(500, big.Length);
        Assert.Equal(HttpStatusCode.Created, (await Admin(HttpMethod.Post, $"{Path}/{fourth.Str("id")}/trusts", Trust(provider, big))).Status);
        AssertLimit(await Admin(HttpMethod.Post, $"{Path}/{fourth.Str("id")}/trusts", Trust(provider, big)), "condition", "600 bytes");
        // A PATCH that grows a condition counts too.
        var trusts = (await Admin(HttpMethod.Get, $"{Path}/{ownedId}/trusts")).Json.GetProperty("trusts");
        var first = trusts[0].GetProperty("id").GetString();
        AssertLimit(await Admin(HttpMethod.Patch, $"{Path}/{ownedId}/trusts/{first}", new { condition = big }), "condition", "600 bytes");
    }

    private static object Provider(int i) => new { display_name = $"p{i}", preset = "custom", issuer_url = $"http://127.0.0.1:9/issuer{i}" };

    private static object Trust(string provider, string condition) => new { display_name = "t", provider_id = provider, condition };

    private Task<Reply> Admin(HttpMethod method, string path, object? body = null) => As(fixture.AdminToken, method, path, body);

    private Task<Reply> As(string token, HttpMethod method, string path, object? body = null) => fixture.Node.Http.SendJsonAsync(method, path, token, body);

    private static void AssertLimit(Reply reply, string field, string limit)
    {
        Assert.True(reply.Status == HttpStatusCode.BadRequest, reply.ToString());
        Assert.Equal(ProblemCodes.LimitExceeded, reply.Str("code"));
        Assert.Equal(field, reply.Str("field"));
        Assert.Equal(limit, reply.Str("limit"));
    }
}
