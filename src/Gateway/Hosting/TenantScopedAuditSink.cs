using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Gateway.Telemetry;

namespace WorkloadFederation.Gateway.Hosting;

/// <summary>
/// Hands audit events to the <see cref="AuditWriter"/>, except decisions that belong to no tenant (a request whose
/// client id names none): the audit log is per tenant and the store refuses an empty tenant, which would otherwise
/// block the writer's batch. Those are logged (reason code only) and counted instead. Every text field is escaped for
/// display on the way in (<see cref="TokenAuditEvents.ForDisplay"/>).
/// </summary>
internal sealed partial class TenantScopedAuditSink(AuditWriter writer, GatewayTelemetry telemetry, ILogger<TenantScopedAuditSink> logger) : IAuditSink
{
    /// <summary>Queues the event, or logs and counts it when it names no tenant.</summary>
    public void Record(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (string.IsNullOrEmpty(auditEvent.Tenant))
        {
            telemetry.TenantlessDecision(auditEvent.Reason);
            Log.Tenantless(logger, auditEvent.Type, auditEvent.Reason);
            return;
        }

        writer.Record(TokenAuditEvents.ForDisplay(auditEvent));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.TenantlessAudit, Level = LogLevel.Debug,
            Message = "{Type} without a tenant ({Reason}): not written to any tenant's audit log")]
        public static partial void Tenantless(ILogger logger, string type, string reason);
    }
}
