using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Gateway.Audit;

/// <summary>The gateway's view of the audit writer: hand an event over, never block the request.</summary>
public interface IAuditRecorder
{
    void Record(AuditEvent auditEvent);
}
