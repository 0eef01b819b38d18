using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.Audit;

internal static partial class Log
{
    [LoggerMessage(FederationEventIds.AuditDropped, LogLevel.Warning, "Audit buffer full ({Capacity} events): new events are dropped and counted in wif.audit.dropped until the store accepts writes again")]
    public static partial void AuditDropped(ILogger logger, int capacity);

    [LoggerMessage(FederationEventIds.AuditWriteFailed, LogLevel.Warning, "Appending {Count} audit events failed; retrying")]
    public static partial void AuditWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(FederationEventIds.AuditEventRejected, LogLevel.Error, "The audit store refused a {Type} event ({Reason}) as invalid; it is dropped and counted in wif.audit.dropped so that the events after it are still written")]
    public static partial void AuditEventRejected(ILogger logger, Exception exception, string type, string reason);

    [LoggerMessage(FederationEventIds.AuditBackPressureTimeout, LogLevel.Warning, "The audit log could not keep up within {Timeout}: a token request is refused as temporarily unavailable ({Buffered} events unwritten)")]
    public static partial void AuditBackPressureTimeout(ILogger logger, TimeSpan timeout, int buffered);

    [LoggerMessage(FederationEventIds.AuditFlushed, LogLevel.Information, "Audit flushed: {Written} events written, {Dropped} dropped since start")]
    public static partial void AuditFlushed(ILogger logger, long written, long dropped);
}
