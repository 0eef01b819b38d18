using System.Net;
using System.Text.Json.Nodes;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// CEL abuse: a trust condition an admin wrote innocently, fed hostile but validly signed claims through the real
/// exchange. Each case is built to run into one of the engine's limits (cost budget, regex pattern length, value
/// size), and the case asserts the refusal is <c>cel_evaluation_error</c> for that limit: the condition's step detail
/// (what the trust test runner and the decision's audit detail say) names the limit. The limits, not the speed of this
/// machine, are what keep such a condition from burning CPU, so no wall-clock bound is asserted.
/// </summary>
public abstract class CelAbuseTests(HostileNodeFixture fixture)
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        // Linear-time regex, but a comprehension repeats the match 8000 times over 4 KB: the cost budget stops it.
        { "regex_catastrophic_backtracking_repeated", "claims.xs.all(x, claims.xs.all(y, claims.xs.all(z, !claims.sub.matches('^(a+)+$'))))", "MaxCost" },
        // A pattern taken from the claims is held to the pattern limit at run time (a literal one at compile time).
        { "regex_pattern_from_claims_over_the_length_limit", "claims.sub.matches(claims.big)", "MaxRegexPatternLength" },
        // Doubling a 3 KB string ten times passes 1 MiB: the value size limit stops it before the budget does.
        { "quadratic_string_building", "cel.bind(a, claims.big + claims.big, cel.bind(b, a + a, cel.bind(c, b + b, cel.bind(d, c + c, cel.bind(e, d + d, cel.bind(f, e + e, cel.bind(g, f + f, cel.bind(h, g + g, cel.bind(i, h + h, size(i + i) == 0)))))))))", "value size limit" },
        { "cubic_comprehension", "claims.ns.all(a, claims.ns.all(b, claims.ns.all(c, a + b + c >= 0)))", "MaxCost" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CelAbuse_HostileClaims_RefusedByTheNamedLimit(string name, string condition, string limit)
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

        var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(clientId, token));

        Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{name}: {reply}");
        Assert.Equal(OAuthErrors.InvalidGrant, reply.Str("error"));
        var audited = await fixture.NextTokenEventAsync(clientId, AuditEventTypes.TokenDenied);
        Assert.Equal(DenialReasons.CelEvaluationError, audited.GetProperty("reason").GetString());

        // The same steps on the same token, reported: the condition step names the limit it ran into.
        var tested = await fixture.AdminAsync(HttpMethod.Post, $"/service-principals/{fixture.PrincipalId}/trusts/{trust.Str("id")}/test", new { token });
        Assert.True(tested.Status == HttpStatusCode.OK, tested.ToString());
        var step = tested.Json.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "cel_evaluation");
        Assert.Equal("fail", step.GetProperty("status").GetString());
        Assert.Contains(limit, step.GetProperty("detail").GetString(), StringComparison.Ordinal);
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
