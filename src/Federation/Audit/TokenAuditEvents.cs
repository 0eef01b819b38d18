using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.Audit;

/// <summary>Builds the audit events of token decisions (API.md audit events: type, outcome, reason, ids, ip, subject).</summary>
public static class TokenAuditEvents
{
    /// <summary>The reason recorded for an issued token.</summary>
    public const string IssuedReason = "issued";

    /// <summary>An issued token.</summary>
    public static AuditEvent Issued(
        DateTimeOffset time, string tenant, string? principalId, string? credentialId, string? trustId,
        string? clientId, string? clientIp, string? subject, string? detail = null) =>
        new(time, AuditEventTypes.TokenIssued, tenant, AuditOutcomes.Allowed, IssuedReason,
            principalId, credentialId, trustId, clientId, clientIp, subject, detail);

    /// <summary>A denied request, with its stable reason code and a human detail (no token content).</summary>
    public static AuditEvent Denied(
        DateTimeOffset time, string tenant, string reason, string detail, string? principalId, string? credentialId,
        string? trustId, string? clientId, string? clientIp, string? subject) =>
        new(time, AuditEventTypes.TokenDenied, tenant, AuditOutcomes.Denied, reason,
            principalId, credentialId, trustId, clientId, clientIp, subject, detail);
}
