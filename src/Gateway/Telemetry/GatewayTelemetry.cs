using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WorkloadFederation.Gateway.Telemetry;

/// <summary>The gateway's one <see cref="ActivitySource"/> and one <see cref="Meter"/> (STYLE.md "Logging and telemetry").</summary>
public sealed class GatewayTelemetry : IDisposable
{
    public const string Name = "WorkloadFederation.Gateway";

    private readonly Counter<long> _tokenRequests;
    private readonly Histogram<double> _tokenDuration;
    private readonly Counter<long> _adminRequests;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _unhandledErrors;
    private readonly Counter<long> _tenantless;
    private long _unhandledErrorCount;

    public GatewayTelemetry()
    {
        ActivitySource = new ActivitySource(Name);
        Meter = new Meter(Name);
        _tokenRequests = Meter.CreateCounter<long>("wif.token.requests", description: "Token endpoint requests by grant and outcome.");
        _tokenDuration = Meter.CreateHistogram<double>("wif.token.duration", unit: "ms", description: "Token endpoint latency.");
        _adminRequests = Meter.CreateCounter<long>("wif.admin.requests", description: "Admin API requests by status.");
        _rateLimited = Meter.CreateCounter<long>("wif.ratelimit.refusals", description: "Requests refused by a rate limit.");
        _tenantless = Meter.CreateCounter<long>("wif.token.tenantless_decisions", description: "Token decisions that name no tenant (not audited per tenant).");
        _unhandledErrors = Meter.CreateCounter<long>("wif.http.unhandled_errors", description: "Requests that reached the global exception handler.");
    }

    /// <summary>The gateway's activity source.</summary>
    public ActivitySource ActivitySource { get; }

    /// <summary>The gateway's meter (<c>wif.*</c> instruments).</summary>
    public Meter Meter { get; }

    /// <summary>How many requests reached the global exception handler since start (tests assert zero).</summary>
    public long UnhandledErrorCount => Interlocked.Read(ref _unhandledErrorCount);

    /// <summary>Counts a token request and records its latency.</summary>
    public void TokenRequest(string grant, string outcome, double milliseconds)
    {
        var tags = new TagList { { "grant", grant }, { "outcome", outcome } };
        _tokenRequests.Add(1, tags);
        _tokenDuration.Record(milliseconds, tags);
    }

    /// <summary>Counts an admin request by status.</summary>
    public void AdminRequest(int status) => _adminRequests.Add(1, new KeyValuePair<string, object?>("status", status));

    /// <summary>Counts a rate-limit refusal.</summary>
    public void RateLimited(string scope) => _rateLimited.Add(1, new KeyValuePair<string, object?>("scope", scope));

    /// <summary>Counts a token decision that names no tenant.</summary>
    public void TenantlessDecision(string reason) => _tenantless.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Counts a request that reached the global exception handler.</summary>
    public void UnhandledError()
    {
        Interlocked.Increment(ref _unhandledErrorCount);
        _unhandledErrors.Add(1);
    }

    /// <summary>Disposes the source and the meter.</summary>
    public void Dispose()
    {
        ActivitySource.Dispose();
        Meter.Dispose();
    }
}
