using System.Globalization;
using System.Net;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// A node with small budgets — 5 tokens per client id, 30 per tenant, 6 failed requests per source — that trusts
/// 127.0.0.1 as a proxy, so each case can speak from its own source address through <c>X-Forwarded-For</c>.
/// </summary>
public sealed class LockoutFixture : HostileNodeFixture
{
    public const int PerClient = 5;
    public const int PerTenant = 30;
    public const int FailuresPerSource = 6;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:PerClientIdPerMinute"] = PerClient.ToString(CultureInfo.InvariantCulture),
        ["RateLimits:PerTenantPerMinute"] = PerTenant.ToString(CultureInfo.InvariantCulture),
        ["RateLimits:FailuresPerSourcePerMinute"] = FailuresPerSource.ToString(CultureInfo.InvariantCulture),
        ["Network:TrustedProxies:0"] = "127.0.0.1",
    };
}

/// <summary>
/// Attack class "lockout through rate limits": an unauthenticated caller tries to spend a victim's budget — by naming
/// its public client id, by inventing client ids of its tenant — or to escape its own budget by hopping inside an
/// IPv6 /64. Failures must be charged to the source only, and the audit log must not grow by one row per refusal.
/// The cases share one node, so each uses its own source addresses and its own credentials.
/// </summary>
public sealed class LockoutTests(LockoutFixture fixture) : IClassFixture<LockoutFixture>
{
    [Fact]
    public async Task Lockout_JunkNamingVictimClientId_DoesNotRefuseTheVictimsLogin()
    {
        var victim = await AttackSupport.PrincipalAsync(fixture, "victim-client", ["Basic User"]);
        for (var i = 0; i < LockoutFixture.PerClient * 2; i++)
        {
            // Ten attackers, one junk request each: no single source reaches its failure budget.
            await fixture.Node.Http.PostFormFromAsync($"198.51.100.{10 + i}", EndpointPaths.Token, Wire.SecretForm(victim.ClientId, "x"));
        }

        var login = await fixture.Node.Http.PostFormFromAsync("192.0.2.200", EndpointPaths.Token, Wire.SecretForm(victim.ClientId, victim.Secret));

        Assert.True(login.Status == HttpStatusCode.OK, login.ToString());
    }

    [Fact]
    public async Task Lockout_InventedClientIdsOfTenant_DoNotRefuseTheTenantsRealCredentials()
    {
        var victim = await AttackSupport.PrincipalAsync(fixture, "victim-tenant", ["Basic User"]);
        for (var i = 0; i < LockoutFixture.PerTenant + 10; i++)
        {
            await fixture.Node.Http.PostFormFromAsync($"198.51.101.{10 + i}", EndpointPaths.Token, Wire.SecretForm($"made-up-{i:00000}@{fixture.Tenant}/spc", "x"));
        }

        var login = await fixture.Node.Http.PostFormFromAsync("192.0.2.201", EndpointPaths.Token, Wire.SecretForm(victim.ClientId, victim.Secret));

        Assert.True(login.Status == HttpStatusCode.OK, login.ToString());
    }

    [Fact]
    public async Task Lockout_FailuresFromOneSource_AreRefusedAfterTheFailureBudgetNamingIt()
    {
        Reply? last = null;
        for (var i = 0; i <= LockoutFixture.FailuresPerSource; i++)
        {
            last = await fixture.Node.Http.PostFormFromAsync("203.0.113.50", EndpointPaths.Token, Wire.SecretForm($"made-up-{i:00000}@{fixture.Tenant}/spc", "x"));
        }

        TooMany.Assert429(last!, $"{LockoutFixture.FailuresPerSource} failed requests per minute per source");
    }

    [Fact]
    public async Task Lockout_IPv6SourcesOfOneSlash64_ShareOneFailureBudget()
    {
        Reply? last = null;
        for (var i = 0; i <= LockoutFixture.FailuresPerSource; i++)
        {
            // A new interface id each time: the /64 is what one subscriber holds.
            last = await fixture.Node.Http.PostFormFromAsync($"2001:db8:77:1:{i + 1:x}::9", EndpointPaths.Token, Wire.SecretForm($"made-up-{i:00000}@{fixture.Tenant}/spc", "x"));
        }

        var neighbour = await fixture.Node.Http.PostFormFromAsync("2001:db8:77:2::9", EndpointPaths.Token, Wire.SecretForm($"made-up-99999@{fixture.Tenant}/spc", "x"));

        TooMany.Assert429(last!, "per source");
        Assert.True(neighbour.Status == HttpStatusCode.Unauthorized, $"another /64 has its own budget: {neighbour}");
    }

    [Fact]
    public async Task Lockout_RefusalsOfOneClient_AreAggregatedInTheAuditLog()
    {
        var client = await AttackSupport.PrincipalAsync(fixture, "busy-client", ["Basic User"]);
        const string source = "192.0.2.202";
        // The fixture's login above took one token; the rest of the budget, then four refusals.
        for (var i = 1; i < LockoutFixture.PerClient; i++)
        {
            var ok = await fixture.Node.Http.PostFormFromAsync(source, EndpointPaths.Token, Wire.SecretForm(client.ClientId, client.Secret));
            Assert.True(ok.Status == HttpStatusCode.OK, $"token {i + 1}: {ok}");
        }

        for (var i = 0; i < 4; i++)
        {
            var refused = await fixture.Node.Http.PostFormFromAsync(source, EndpointPaths.Token, Wire.SecretForm(client.ClientId, client.Secret));
            TooMany.Assert429(refused, $"{LockoutFixture.PerClient} requests per minute per client id");
        }

        var events = await AttackSupport.WaitForAuditAsync(fixture.Node.Http, fixture.AdminToken,
            e => e.Any(x => IsRateLimited(x, client.ClientId)), "a rate_limited event");
        await Task.Delay(300);
        events = await AttackSupport.AllAuditEventsAsync(fixture.Node.Http, fixture.AdminToken);

        // One event for the first refusal; the other three are counted in one summary when the minute ends (which
        // may fall inside this case: then two events). Never one row per refusal.
        Assert.InRange(events.Count(e => IsRateLimited(e, client.ClientId)), 1, 2);
    }

    private static bool IsRateLimited(System.Text.Json.JsonElement e, string clientId) =>
        e.GetProperty("reason").GetString() == DenialReasons.RateLimited
        && e.TryGetProperty("client_id", out var c) && c.GetString() == clientId;
}
