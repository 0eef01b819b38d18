using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WorkloadFederation.Client.Telemetry;

/// <summary>The SDK's one <see cref="ActivitySource"/> and one <see cref="Meter"/> (STYLE.md): a span per token request, <c>wif.client.*</c> counters.</summary>
public static class ClientTelemetry
{
    /// <summary>Name of the activity source and the meter.</summary>
    public const string Name = "WorkloadFederation.Client";

    internal static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Requests to the token endpoint, tagged with <c>outcome</c> (<c>issued</c>, an OAuth error code, or <c>failed</c>).</summary>
    internal static readonly Counter<long> TokenRequests = Meter.CreateCounter<long>("wif.client.token_requests", description: "Requests to the token endpoint.");

    /// <summary>Retries of any request (429, 5xx, network).</summary>
    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>("wif.client.retries", description: "Retried HTTP requests.");

    /// <summary>Cached-token hits.</summary>
    internal static readonly Counter<long> CacheHits = Meter.CreateCounter<long>("wif.client.token_cache_hits", description: "Access tokens served from the cache.");
}
