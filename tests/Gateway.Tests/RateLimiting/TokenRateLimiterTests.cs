using System.Net;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.RateLimiting;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Gateway.Tests.RateLimiting;

/// <summary>The limiter's rules on a fake clock: who pays, how sources are keyed, when windows end.</summary>
public sealed class TokenRateLimiterTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 10, TimeSpan.Zero);

    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void SourceKey_IPv4IsTheAddressIPv6IsItsSlash64(string address, string key) =>
        Assert.Equal(key, TokenRateLimiter.SourceKey(IPAddress.Parse(address)));

    [Fact]
    public void Failures_AreChargedToTheSourceOnly_AndTheBudgetReturnsWithTheNextWindow()
    {
        var clock = new ManualTimeProvider(Start);
        var limiter = new TokenRateLimiter(new RateLimitOptions { FailuresPerSourcePerMinute = 2, PerClientIdPerMinute = 1, PerTenantPerMinute = 1 }, clock);
        var attacker = IPAddress.Parse("2001:db8:1:2::1");

        limiter.ChargeFailure(attacker);
        limiter.ChargeFailure(IPAddress.Parse("2001:db8:1:2::2"));

        var refused = limiter.CheckSourceFailures(IPAddress.Parse("2001:db8:1:2::3"));
        Assert.NotNull(refused);
        Assert.Equal(RateLimitScope.SourceFailures, refused!.Scope);
        Assert.Equal(TimeSpan.FromSeconds(50), refused.RetryAfter);
        Assert.Null(limiter.CheckSourceFailures(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Null(limiter.CheckClient("victim@acme.example.com/spc", "acme.example.com"));
        clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Null(limiter.CheckSourceFailures(attacker));
    }

    [Fact]
    public void IssuedTokens_SpendTheClientAndTenantBudgets()
    {
        var clock = new ManualTimeProvider(Start);
        var limiter = new TokenRateLimiter(new RateLimitOptions { PerClientIdPerMinute = 2, PerTenantPerMinute = 3 }, clock);

        limiter.ChargeIssued("a@acme.example.com/spc", "acme.example.com");
        limiter.ChargeIssued("a@acme.example.com/spc", "acme.example.com");

        Assert.Equal(RateLimitScope.ClientId, limiter.CheckClient("a@acme.example.com/spc", "acme.example.com")?.Scope);
        Assert.Null(limiter.CheckClient("b@acme.example.com/spc", "acme.example.com"));
        limiter.ChargeIssued("b@acme.example.com/spc", "acme.example.com");
        Assert.Equal(RateLimitScope.Tenant, limiter.CheckClient("b@acme.example.com/spc", "acme.example.com")?.Scope);
    }

    [Fact]
    public void Audit_RefusalsOfOneMinute_AreOneEventNowAndOneCountingEventAfterTheMinute()
    {
        var clock = new ManualTimeProvider(Start);
        var sink = new ListSink();
        var audit = new RateLimitAudit(sink, clock);
        var refusal = new RateLimitRefusal(RateLimitScope.ClientId, 5, TimeSpan.FromSeconds(50));

        for (var i = 0; i < 100; i++)
        {
            audit.Refused("acme.example.com", refusal, "a@acme.example.com/spc", "203.0.113.9", "203.0.113.9");
        }

        audit.Flush(all: false);
        Assert.Single(sink.Events);
        clock.Advance(TimeSpan.FromMinutes(1));
        audit.Flush(all: false);

        Assert.Equal(2, sink.Events.Count);
        Assert.All(sink.Events, e => Assert.Equal(DenialReasons.RateLimited, e.Reason));
        Assert.StartsWith("99 more requests refused", sink.Events[1].Detail, StringComparison.Ordinal);
        Assert.Equal(0, audit.Pending);
    }

    private sealed class ListSink : IAuditSink
    {
        public List<AuditEvent> Events { get; } = [];

        public void Record(AuditEvent auditEvent) => Events.Add(auditEvent);
    }
}
