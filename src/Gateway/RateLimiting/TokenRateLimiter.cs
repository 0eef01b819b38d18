using System.Net;
using System.Net.Sockets;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.RateLimiting;

/// <summary>Which limit refused a request.</summary>
public enum RateLimitScope
{
    SourceIp,
    SourceFailures,
    ClientId,
    Tenant,
    AdminSourceIp,
}

/// <summary>A refusal by a rate limiter: which limit and when to retry. Null when allowed.</summary>
public sealed record RateLimitRefusal(RateLimitScope Scope, int Limit, TimeSpan RetryAfter)
{
    /// <summary>A description naming the limit.</summary>
    public string Description => Scope switch
    {
        RateLimitScope.SourceIp => $"rate limit exceeded: {Limit} requests per minute per source IP",
        RateLimitScope.SourceFailures => $"rate limit exceeded: {Limit} failed requests per minute per source (IPv4 address or IPv6 /64)",
        RateLimitScope.ClientId => $"rate limit exceeded: {Limit} requests per minute per client id",
        RateLimitScope.Tenant => $"rate limit exceeded: {Limit} requests per minute per tenant",
        _ => $"rate limit exceeded: {Limit} requests per minute per source IP",
    };
}

/// <summary>
/// The token endpoint's and admin API's budgets, in one-minute windows per node. Who pays is the point:
/// <list type="bullet">
/// <item>every request pays the source's budget (checked before the body is read);</item>
/// <item>a refused request pays only its source's failure budget — client ids are public, so a request that did
/// not authenticate must never spend the budget of the client or tenant it names;</item>
/// <item>an issued token pays its client id's and its tenant's budgets, which are checked before the grant runs.</item>
/// </list>
/// A source is an IPv4 address or an IPv6 /64 (one subscriber's prefix: a new interface id does not buy a new budget).
/// </summary>
public sealed class TokenRateLimiter
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly RateLimitOptions _options;
    private readonly FixedWindowCounters _perSource;
    private readonly FixedWindowCounters _failuresPerSource;
    private readonly FixedWindowCounters _perClient;
    private readonly FixedWindowCounters _perTenant;
    private readonly FixedWindowCounters _adminPerSource;

    /// <summary>Creates the limiter.</summary>
    public TokenRateLimiter(RateLimitOptions options, TimeProvider time)
    {
        _options = options;
        _perSource = new(options.PerIpPerMinute, Window, time);
        _failuresPerSource = new(options.FailuresPerSourcePerMinute, Window, time);
        _perClient = new(options.PerClientIdPerMinute, Window, time);
        _perTenant = new(options.PerTenantPerMinute, Window, time);
        _adminPerSource = new(options.AdminPerIpPerMinute, Window, time);
    }

    /// <summary>The rate-limit key of a caller address: the IPv4 address, or the /64 of an IPv6 address.</summary>
    public static string SourceKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>The token endpoint's per-source limit, charged for every request; null when allowed.</summary>
    public RateLimitRefusal? CheckSource(IPAddress? source) => Take(_perSource, SourceKey(source), RateLimitScope.SourceIp);

    /// <summary>Refuses a source that has spent its failure budget (nothing is charged); null when allowed.</summary>
    public RateLimitRefusal? CheckSourceFailures(IPAddress? source) => Spent(_failuresPerSource, SourceKey(source), RateLimitScope.SourceFailures);

    /// <summary>Charges a refused request to its source's failure budget.</summary>
    public void ChargeFailure(IPAddress? source)
    {
        if (_options.Enabled)
        {
            _failuresPerSource.Charge(SourceKey(source));
        }
    }

    /// <summary>Refuses a client id, then a tenant, that has spent its budget of issued tokens; null when allowed.</summary>
    public RateLimitRefusal? CheckClient(string clientId, string tenant) =>
        Spent(_perClient, clientId, RateLimitScope.ClientId) ?? Spent(_perTenant, tenant, RateLimitScope.Tenant);

    /// <summary>Charges an issued token to its client id and tenant.</summary>
    public void ChargeIssued(string clientId, string tenant)
    {
        if (_options.Enabled)
        {
            _perClient.Charge(clientId);
            _perTenant.Charge(tenant);
        }
    }

    /// <summary>The admin API's per-source limit; null when allowed.</summary>
    public RateLimitRefusal? CheckAdminSource(IPAddress? source) => Take(_adminPerSource, SourceKey(source), RateLimitScope.AdminSourceIp);

    private RateLimitRefusal? Take(FixedWindowCounters counters, string key, RateLimitScope scope) =>
        !_options.Enabled || counters.TryTake(key, out var retry) ? null : new RateLimitRefusal(scope, counters.Limit, retry);

    private RateLimitRefusal? Spent(FixedWindowCounters counters, string key, RateLimitScope scope) =>
        _options.Enabled && counters.IsSpent(key, out var retry) ? new RateLimitRefusal(scope, counters.Limit, retry) : null;
}
