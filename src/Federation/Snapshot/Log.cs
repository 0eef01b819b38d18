using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.Snapshot;

internal static partial class Log
{
    [LoggerMessage(FederationEventIds.SnapshotLoaded, LogLevel.Information, "Configuration snapshot loaded at version {Version} ({Tenants} tenants, {Trusts} trusts, {Credentials} credentials) in {ElapsedMs} ms")]
    public static partial void SnapshotLoaded(ILogger logger, long version, int tenants, int trusts, int credentials, double elapsedMs);

    [LoggerMessage(FederationEventIds.SnapshotApplied, LogLevel.Debug, "Applied {Changes} changes, snapshot now at version {Version} in {ElapsedMs} ms")]
    public static partial void SnapshotApplied(ILogger logger, int changes, long version, double elapsedMs);

    [LoggerMessage(FederationEventIds.SnapshotLoadFailed, LogLevel.Warning, "Loading the configuration snapshot failed; retrying in {RetryMs} ms")]
    public static partial void SnapshotLoadFailed(ILogger logger, Exception exception, double retryMs);

    [LoggerMessage(FederationEventIds.SnapshotApplyFailed, LogLevel.Warning, "Applying configuration changes failed; reloading in full")]
    public static partial void SnapshotApplyFailed(ILogger logger, Exception exception);

    [LoggerMessage(FederationEventIds.SnapshotGap, LogLevel.Warning, "The change feed did not reach store version {StoreVersion} from {SnapshotVersion}; reloading in full")]
    public static partial void SnapshotGap(ILogger logger, long storeVersion, long snapshotVersion);

    [LoggerMessage(FederationEventIds.SigningKeyProblem, LogLevel.Error, "Signing key problem: {Problem}")]
    public static partial void SigningKeyProblem(ILogger logger, string problem);
}
