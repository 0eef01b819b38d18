using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.Decisions;

internal static partial class Log
{
    [LoggerMessage(FederationEventIds.GrantDenied, LogLevel.Information, "Grant {Grant} denied for client {ClientId}: {Reason}")]
    public static partial void GrantDenied(ILogger logger, string grant, string? clientId, string reason);
}
