using System.Threading.RateLimiting;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.RateLimiting;

/// <summary>Which limit refused a request.</summary>
public enum RateLimitScope
{
    SourceIp,
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
        RateLimitScope.ClientId => $"rate limit exceeded: {Limit} requests per minute per client id",
        RateLimitScope.Tenant => $"rate limit exceeded: {Limit} requests per minute per tenant",
        _ => $"rate limit exceeded: {Limit} requests per minute per source IP",
    };
}

/// <summary>
/// Fixed-window partitioned limiters (System.Threading.RateLimiting, the primitives of ASP.NET Core rate limiting) per
/// source IP, per client id and per tenant. The IP limit is checked before the body is read; client id and tenant once
/// the form is parsed.
/// </summary>
public sealed class TokenRateLimiter : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<string> _perIp;
    private readonly PartitionedRateLimiter<string> _perClient;
    private readonly PartitionedRateLimiter<string> _perTenant;
    private readonly PartitionedRateLimiter<string> _adminPerIp;

    public TokenRateLimiter(RateLimitOptions options)
    {
        _options = options;
        _perIp = Create(options.PerIpPerMinute);
        _perClient = Create(options.PerClientIdPerMinute);
        _perTenant = Create(options.PerTenantPerMinute);
        _adminPerIp = Create(options.AdminPerIpPerMinute);
    }

    /// <summary>The token endpoint's per-source-IP limit; null when allowed.</summary>
    public RateLimitRefusal? CheckSourceIp(string ip) => Check(_perIp, ip, RateLimitScope.SourceIp, _options.PerIpPerMinute);

    /// <summary>The admin API's per-source-IP limit; null when allowed.</summary>
    public RateLimitRefusal? CheckAdminSourceIp(string ip) => Check(_adminPerIp, ip, RateLimitScope.AdminSourceIp, _options.AdminPerIpPerMinute);

    /// <summary>The per-client-id, then per-tenant limit; null when allowed.</summary>
    public RateLimitRefusal? CheckClient(string clientId, string tenant) =>
        Check(_perClient, clientId, RateLimitScope.ClientId, _options.PerClientIdPerMinute)
        ?? Check(_perTenant, tenant, RateLimitScope.Tenant, _options.PerTenantPerMinute);

    /// <summary>Disposes the limiters.</summary>
    public void Dispose()
    {
        _perIp.Dispose();
        _perClient.Dispose();
        _perTenant.Dispose();
        _adminPerIp.Dispose();
    }

    private RateLimitRefusal? Check(PartitionedRateLimiter<string> limiter, string key, RateLimitScope scope, int limit)
    {
        if (!_options.Enabled)
        {
            return null;
        }

        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }

        var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
        return new RateLimitRefusal(scope, limit, retry);
    }

    private static PartitionedRateLimiter<string> Create(int permitsPerMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
