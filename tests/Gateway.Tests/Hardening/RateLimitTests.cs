using System.Globalization;
using System.Net;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>A node whose token endpoint allows 5 requests per minute per client id (others high).</summary>
public sealed class PerClientLimitedFixture : HostileNodeFixture
{
    public const int PerClient = 5;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:PerClientIdPerMinute"] = PerClient.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>A node whose token endpoint allows 12 requests per minute per source IP.</summary>
public sealed class PerIpLimitedFixture : NodeFixture
{
    public const int PerIp = 12;

    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new TunedSqliteBackend(new Dictionary<string, string?>
    {
        ["RateLimits:PerIpPerMinute"] = PerIp.ToString(CultureInfo.InvariantCulture),
    }));
}

/// <summary>A node whose token endpoint allows 8 requests per minute per tenant.</summary>
public sealed class PerTenantLimitedFixture : NodeFixture
{
    public const int PerTenant = 8;

    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new TunedSqliteBackend(new Dictionary<string, string?>
    {
        ["RateLimits:PerTenantPerMinute"] = PerTenant.ToString(CultureInfo.InvariantCulture),
    }));
}

/// <summary>Shared checks of a 429 answer (API.md: <c>429</c> with <c>Retry-After</c>).</summary>
internal static class TooMany
{
    public static void Assert429(Reply reply, string limitText)
    {
        Assert.True(reply.Status == HttpStatusCode.TooManyRequests, reply.ToString());
        var retryAfter = reply.Headers.RetryAfter;
        Assert.NotNull(retryAfter);
        Assert.NotNull(retryAfter!.Delta);
        Assert.InRange(retryAfter.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Contains(limitText, reply.Str("error_description"), StringComparison.Ordinal);
        Assert.Contains("no-store", reply.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }
}

/// <summary>Rate limit per client id: the (N+1)th request of one client id in a minute is 429 with Retry-After; another client id is unaffected.</summary>
public sealed class PerClientRateLimitTests(PerClientLimitedFixture fixture) : IClassFixture<PerClientLimitedFixture>
{
    [Fact]
    public async Task RateLimit_PerClientId_Answers429WithRetryAfterOnlyForThatClient()
    {
        var http = fixture.Node.Http;
        for (var i = 0; i < PerClientLimitedFixture.PerClient; i++)
        {
            var ok = await http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(fixture.CredentialA.ClientId, fixture.CredentialA.Secret));
            Assert.True(ok.Status == HttpStatusCode.OK, $"request {i + 1}: {ok}");
        }

        var limited = await http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(fixture.CredentialA.ClientId, fixture.CredentialA.Secret));
        var other = await http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(fixture.CredentialB.ClientId, fixture.CredentialB.Secret));

        TooMany.Assert429(limited, $"{PerClientLimitedFixture.PerClient} requests per minute per client id");
        Assert.False(limited.Json.TryGetProperty("access_token", out _));
        Assert.True(other.Status == HttpStatusCode.OK, other.ToString());
        var audited = await fixture.NextTokenEventAsync(fixture.CredentialA.ClientId, AuditEventTypes.TokenDenied);
        Assert.Equal(DenialReasons.RateLimited, audited.GetProperty("reason").GetString());
    }
}

/// <summary>Rate limit per source IP: checked before the body is read.</summary>
public sealed class PerIpRateLimitTests(PerIpLimitedFixture fixture) : IClassFixture<PerIpLimitedFixture>
{
    [Fact]
    public async Task RateLimit_PerSourceIp_Answers429WithRetryAfter()
    {
        Reply? limited = null;
        var sent = 0;
        while (limited is null && sent < (2 * PerIpLimitedFixture.PerIp) + 2)
        {
            sent++;
            var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm($"lost-otter-{sent:00000}@{fixture.Tenant}/spc", "x"));
            limited = reply.Status == HttpStatusCode.TooManyRequests ? reply : null;
        }

        Assert.NotNull(limited);
        // At least the configured budget passed (the fixture's own login took one permit); a window that rolls over
        // mid-test only delays the refusal, hence the generous loop bound.
        Assert.True(sent >= PerIpLimitedFixture.PerIp - 1, $"refused after only {sent} requests");
        TooMany.Assert429(limited!, $"{PerIpLimitedFixture.PerIp} requests per minute per source IP");
    }
}

/// <summary>Rate limit per tenant: the tokens issued to all client ids of one tenant share one budget.</summary>
public sealed class PerTenantRateLimitTests(PerTenantLimitedFixture fixture) : IClassFixture<PerTenantLimitedFixture>
{
    [Fact]
    public async Task RateLimit_PerTenant_Answers429OnceTheTenantsTokensAreSpent()
    {
        Reply? limited = null;
        var issued = 0;
        while (limited is null && issued < (2 * PerTenantLimitedFixture.PerTenant) + 2)
        {
            var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(fixture.Admin.ClientId, fixture.Admin.ClientSecret));
            issued += reply.Status == HttpStatusCode.OK ? 1 : 0;
            limited = reply.Status == HttpStatusCode.TooManyRequests ? reply : null;
        }

        Assert.NotNull(limited);
        // At least the configured budget was issued (the fixture's own login took one); a window that rolls over
        // mid-test only delays the refusal, hence the generous loop bound.
        Assert.True(issued >= PerTenantLimitedFixture.PerTenant - 1, $"refused after only {issued} tokens");
        TooMany.Assert429(limited!, $"{PerTenantLimitedFixture.PerTenant} requests per minute per tenant");
    }
}
