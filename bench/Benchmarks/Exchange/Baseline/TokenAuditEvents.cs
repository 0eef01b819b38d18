// Frozen pre-refactor copy for GrantBenchmarks (before/after in one run); not used by the product.
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Benchmarks.Exchange.Baseline;

/// <summary>Builds the audit events of token decisions (API.md audit events: type, outcome, reason, ids, ip, subject).</summary>
internal static class TokenAuditEvents
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
            principalId, credentialId, trustId, clientId, clientIp, subject, Sanitize(detail));

    /// <summary>Longest detail kept in an audit event.</summary>
    public const int MaxDetailLength = 512;

    /// <summary>Bounds a detail's length and replaces control characters (details may quote unverified token text).</summary>
    public static string Sanitize(string detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var text = detail.Length > MaxDetailLength ? detail[..MaxDetailLength] + "..." : detail;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }
}
