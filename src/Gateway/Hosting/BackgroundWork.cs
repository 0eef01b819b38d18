using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Telemetry;

namespace WorkloadFederation.Gateway.Hosting;

/// <summary>
/// Runs the audit writer; on graceful shutdown (after the server has stopped taking requests) stops accepting events
/// and flushes every buffered one, so that a clean stop loses none (DESIGN.md "Nothing is lost").
/// </summary>
internal sealed partial class AuditWriterService(AuditWriter writer, ILogger<AuditWriterService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => writer.RunAsync(stoppingToken);

    /// <summary>Stops the loop, then flushes every buffered event.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        writer.Complete();
        try
        {
            await writer.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.FlushFailed(logger, ex.GetType().Name, writer.Buffered);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.BackgroundFailure, Level = LogLevel.Error,
            Message = "Audit flush on shutdown failed ({ExceptionType}); {Buffered} events not written")]
        public static partial void FlushFailed(ILogger logger, string exceptionType, int buffered);
    }
}

/// <summary>Background refresh of every provider's JWKS (DESIGN.md "Provider keys": refresh honouring cache headers, stale-if-error).</summary>
internal sealed class ProviderKeyRefreshService(IProviderKeyCache cache) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cache.RunAsync(stoppingToken);
}

/// <summary>Removes replay marks of client assertions once they could no longer be replayed anyway.</summary>
internal sealed partial class ReplayPurgeService(IReplayStore replays, TimeProvider time, ILogger<ReplayPurgeService> logger) : BackgroundService
{
    /// <summary>How often expired marks are purged.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var removed = await replays.PurgeExpiredAsync(time.GetUtcNow(), stoppingToken);
                    if (removed > 0)
                    {
                        Log.Purged(logger, removed);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.PurgeFailed(logger, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.ReplayPurged, Level = LogLevel.Debug, Message = "Purged {Count} expired replay marks")]
        public static partial void Purged(ILogger logger, int count);

        [LoggerMessage(EventId = LogEventIds.ReplayPurgeFailed, Level = LogLevel.Warning, Message = "Replay mark purge failed ({ExceptionType})")]
        public static partial void PurgeFailed(ILogger logger, string exceptionType);
    }
}
