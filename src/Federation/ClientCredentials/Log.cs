using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.ClientCredentials;

internal static partial class Log
{
    [LoggerMessage(FederationEventIds.ReplayStoreFailed, LogLevel.Warning, "The replay store failed; client credentials request refused as temporarily unavailable")]
    public static partial void ReplayStoreFailed(ILogger logger, Exception exception);
}
