using Microsoft.Extensions.Hosting;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Audit;

namespace WorkloadFederation.Gateway.RateLimiting;

/// <summary>
/// Rate-limit refusals in the audit log, aggregated: the first refusal of a client id, tenant or source in a minute is
/// recorded at once; the rest of that minute become one event that counts them, recorded when the minute is over (or
/// at shutdown). A flood of refused requests therefore costs the tenant's audit log two rows a minute per limited
/// subject, not one per request — and still every refusal is accounted for.
/// </summary>
public sealed class RateLimitAudit(IAuditSink audit, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Tenant, RateLimitScope Scope, string Subject), Tally> _tallies = [];

    /// <summary>Subjects with refusals not yet summarised (for tests and metrics).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _tallies.Count;
            }
        }
    }

    /// <summary>Records a refusal of a request that named <paramref name="tenant"/> (nothing when it named none).</summary>
    public void Refused(string? tenant, RateLimitRefusal refusal, string? clientId, string? clientIp, string sourceKey)
    {
        if (string.IsNullOrEmpty(tenant))
        {
            return;
        }

        var subject = refusal.Scope switch
        {
            RateLimitScope.ClientId => clientId ?? string.Empty,
            RateLimitScope.Tenant => tenant,
            _ => sourceKey,
        };
        var now = time.GetUtcNow();
        var window = now.UtcTicks / Window.Ticks;
        Tally? finished = null;
        lock (_gate)
        {
            var key = (tenant, refusal.Scope, subject);
            if (_tallies.TryGetValue(key, out var tally) && tally.Window == window)
            {
                tally.More++;
                return;
            }

            if (tally is not null && tally.More > 0)
            {
                finished = tally;
            }

            _tallies[key] = new Tally(tenant, window, refusal.Description, clientId, clientIp);
        }

        if (finished is not null)
        {
            Summarise(finished, now);
        }

        audit.Record(new TokenDecision(now, clientId, clientIp) { Tenant = tenant }.Denied(DenialReasons.RateLimited,
            refusal.Description + "; further refusals this minute are counted in one later event"));
    }

    /// <summary>Records the summaries of minutes that are over, or of every minute when <paramref name="all"/> (shutdown).</summary>
    public void Flush(bool all)
    {
        var now = time.GetUtcNow();
        var window = now.UtcTicks / Window.Ticks;
        List<Tally> due = [];
        lock (_gate)
        {
            foreach (var (key, tally) in _tallies.ToList())
            {
                if (all || tally.Window < window)
                {
                    _tallies.Remove(key);
                    if (tally.More > 0)
                    {
                        due.Add(tally);
                    }
                }
            }
        }

        foreach (var tally in due)
        {
            Summarise(tally, now);
        }
    }

    private void Summarise(Tally tally, DateTimeOffset now)
    {
        var start = new DateTimeOffset(tally.Window * Window.Ticks, TimeSpan.Zero);
        audit.Record(new TokenDecision(now, tally.ClientId, tally.ClientIp) { Tenant = tally.Tenant }.Denied(DenialReasons.RateLimited,
            $"{tally.More} more requests refused in the minute from {start:yyyy-MM-ddTHH:mm:ssZ}: {tally.Description}"));
    }

    private sealed class Tally(string tenant, long window, string description, string? clientId, string? clientIp)
    {
        public string Tenant { get; } = tenant;

        public long Window { get; } = window;

        public string Description { get; } = description;

        public string? ClientId { get; } = clientId;

        public string? ClientIp { get; } = clientIp;

        public int More { get; set; }
    }
}

/// <summary>Writes <see cref="RateLimitAudit"/>'s summaries as minutes end, and all of them on shutdown.</summary>
internal sealed class RateLimitAuditService(RateLimitAudit aggregate, TimeProvider time) : BackgroundService
{
    /// <summary>How often finished minutes are summarised.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                aggregate.Flush(all: false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops the loop and records every pending summary (before the audit writer, which stops after it, flushes).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        aggregate.Flush(all: true);
    }
}
