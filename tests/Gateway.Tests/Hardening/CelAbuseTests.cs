using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// Issue 6 "CEL abuse": a trust condition an admin wrote innocently, fed hostile but validly signed claims through the
/// real exchange — catastrophic-backtracking regexes, quadratic string building, cubic comprehensions. The engine's
/// limits (linear-time regex with a match timeout, cost budget, value size) must turn each into a prompt refusal.
/// </summary>
public abstract class CelAbuseTests(HostileNodeFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    public static TheoryData<string, string, string> Cases() => new()
    {
        { "regex_catastrophic_backtracking", "claims.sub.matches('^(a+)+$')", DenialReasons.CelConditionNotMet },
        { "regex_nested_quantifiers_on_list", "claims.xs.exists(x, x.matches('^(a|aa)+$'))", DenialReasons.CelConditionNotMet },
        { "quadratic_string_building", "claims.xs.map(x, claims.big + claims.big + x).exists(s, s.size() == 0)", DenialReasons.CelConditionNotMet },
        { "cubic_comprehension", "claims.ns.all(a, claims.ns.all(b, claims.ns.all(c, a + b + c >= 0)))", DenialReasons.CelEvaluationError },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CelAbuse_HostileClaims_RefusedPromptlyWithReason(string name, string condition, string reason)
    {
        var trust = await fixture.AdminAsync(HttpMethod.Post, $"/service-principals/{fixture.PrincipalId}/trusts",
            new { display_name = name, provider_id = await MainProviderAsync(), condition });
        Assert.True(trust.Status == HttpStatusCode.Created, trust.ToString());
        var clientId = trust.Str("client_id");
        var token = fixture.Valid(c =>
        {
            c["sub"] = new string('a', 4000) + "!";
            c["xs"] = new JsonArray([.. Enumerable.Range(0, 20).Select(_ => (JsonNode)(new string('a', 60) + "b"))]);
            c["big"] = new string('x', 1500);
            c["ns"] = new JsonArray([.. Enumerable.Range(0, 200).Select(i => (JsonNode)i)]);
        });

        var watch = Stopwatch.StartNew();
        var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(clientId, token));
        watch.Stop();

        Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{name}: {reply}");
        Assert.Equal(OAuthErrors.InvalidGrant, reply.Str("error"));
        Assert.True(watch.Elapsed < Bound, $"{name} took {watch.Elapsed}");
        var audited = await fixture.NextTokenEventAsync(clientId, AuditEventTypes.TokenDenied);
        Assert.Equal(reason, audited.GetProperty("reason").GetString());
        Assert.True(await fixture.HealthyAsync());
        Assert.Equal(0L, fixture.UnhandledErrors);
    }

    private async Task<string> MainProviderAsync()
    {
        var list = await fixture.AdminAsync(HttpMethod.Get, "/providers");
        return list.Json.GetProperty("providers").EnumerateArray()
            .Single(p => p.GetProperty("issuer_url").GetString() == fixture.Issuer.IssuerOf("main")).GetProperty("id").GetString()!;
    }
}

public sealed class SqliteCelAbuseTests(HostileNodeFixture fixture) : CelAbuseTests(fixture), IClassFixture<HostileNodeFixture>;

public sealed class PostgresCelAbuseTests(PostgresHostileNodeFixture fixture) : CelAbuseTests(fixture), IClassFixture<PostgresHostileNodeFixture>;
