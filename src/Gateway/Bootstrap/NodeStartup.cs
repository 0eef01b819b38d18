using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Telemetry;

namespace WorkloadFederation.Gateway.Bootstrap;

/// <summary>
/// The node's start-up sequence, off the listening path so that <c>/healthz</c> answers at once and <c>/readyz</c>
/// turns green when done: migrate, load the first snapshot, ensure a signing key, bootstrap an empty store (default
/// tenant + Super Admin, <c>bootstrap-admin.json</c>), dev-mode provider, then follow the change feed.
/// Failures are retried with back-off; the node stays not-ready meanwhile.
/// </summary>
internal sealed partial class NodeStartup(
    IConfigurationStore store,
    ChangeFeedFollower follower,
    SnapshotHolder snapshots,
    SigningKeyManager signingKeys,
    NodeReadiness readiness,
    NodeSettings settings,
    DevIssuerProvisioning devProvisioning,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<NodeStartup> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The listening addresses (for the dev issuer's URL) are known once the server has started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var delay = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartOnceAsync(stoppingToken);
                break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.StartFailed(logger, ex.GetType().Name, ex.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
            }
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            await follower.RunAsync(stoppingToken);
        }
    }

    private async Task StartOnceAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        await follower.LoadAsync(cancellationToken);

        if (await signingKeys.EnsureActiveKeyAsync(snapshots.Current, cancellationToken) is { } keyVersion)
        {
            await follower.CatchUpAsync(keyVersion, cancellationToken);
        }

        if (!snapshots.Current.Tenants.Any())
        {
            await BootstrapAsync(cancellationToken);
        }

        if (settings.Node.Dev)
        {
            await devProvisioning.EnsureAsync(cancellationToken);
        }

        readiness.MarkSnapshotLoaded();
        Log.Ready(logger, snapshots.Current.Version, store.GetType().Name);
    }

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        var tenant = settings.Node.Dev && settings.Tenancy.DefaultTenant.Length == 0 ? "localhost" : settings.Tenancy.DefaultTenant;
        ProvisionedTenant created;
        try
        {
            created = await TenantProvisioner.CreateAsync(store, tenant, time.GetUtcNow(), cancellationToken);
        }
        catch (StoreConflictException)
        {
            // Another node bootstrapped the same store first: it wrote its own file.
            Log.BootstrapSkipped(logger, tenant);
            await follower.SyncAsync(cancellationToken);
            return;
        }

        await follower.CatchUpAsync(created.Version, cancellationToken);
        var path = DataDirectory.WriteBootstrapAdmin(settings.Node.DataDirFullPath, created.Admin);
        Log.BootstrapCreated(logger, tenant, created.Admin.ClientId, path);
        if (settings.Node.Dev)
        {
            // Dev mode prints the bootstrap credential once on the console (never through the logger).
            Console.Out.WriteLine($"""

                Bootstrap Super Admin of tenant '{created.Admin.Tenant}' (also in {path}):
                  client_id:     {created.Admin.ClientId}
                  client_secret: {created.Admin.ClientSecret}

                """);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.NodeStarting, Level = LogLevel.Warning,
            Message = "Node start-up step failed ({ExceptionType}: {ExceptionMessage}); retrying in {DelayMs} ms")]
        public static partial void StartFailed(ILogger logger, string exceptionType, string exceptionMessage, double delayMs);

        [LoggerMessage(EventId = LogEventIds.ReadinessChanged, Level = LogLevel.Information,
            Message = "Node ready at store version {Version} ({Store})")]
        public static partial void Ready(ILogger logger, long version, string store);

        [LoggerMessage(EventId = LogEventIds.BootstrapCreated, Level = LogLevel.Information,
            Message = "Created tenant {Tenant} with bootstrap Super Admin {ClientId}; credentials written to {Path}")]
        public static partial void BootstrapCreated(ILogger logger, string tenant, string clientId, string path);

        [LoggerMessage(EventId = LogEventIds.BootstrapSkipped, Level = LogLevel.Information,
            Message = "Tenant {Tenant} was bootstrapped by another node")]
        public static partial void BootstrapSkipped(ILogger logger, string tenant);
    }
}
