using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Text;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.Audit;

/// <summary>Shared rules of token decision events (<see cref="TokenDecision"/> builds them): the issued reason, the detail bound.</summary>
public static class TokenAuditEvents
{
    /// <summary>The reason recorded for an issued token.</summary>
    public const string IssuedReason = "issued";

    /// <summary>Longest detail kept in an audit event.</summary>
    public const int MaxDetailLength = 512;

    /// <summary>
    /// Bounds a detail's length (details may quote unverified token text such as a <c>kid</c> or <c>iss</c>). What is
    /// not printable is escaped once, for every field of every event, by <see cref="ForDisplay"/> on the way into the
    /// audit log.
    /// </summary>
    public static string Sanitize(string detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        return detail.Length > MaxDetailLength ? detail[..MaxDetailLength] + "..." : detail;
    }

    /// <summary>
    /// The event with every text field escaped for display (<see cref="DisplayText"/>): a verified token's <c>sub</c>
    /// or an unauthenticated client id is the caller's text, and audit logs are read on consoles and in shippers.
    /// Returns the same instance when nothing needs escaping.
    /// </summary>
    public static AuditEvent ForDisplay(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var e = auditEvent;
        if (DisplayText.IsSafe(e.Subject) && DisplayText.IsSafe(e.ClientId) && DisplayText.IsSafe(e.Detail) && DisplayText.IsSafe(e.PrincipalId)
            && DisplayText.IsSafe(e.CredentialId) && DisplayText.IsSafe(e.TrustId) && DisplayText.IsSafe(e.ClientIp) && DisplayText.IsSafe(e.Reason))
        {
            return e;
        }

        return e with
        {
            Reason = DisplayText.Escape(e.Reason),
            PrincipalId = DisplayText.Escape(e.PrincipalId),
            CredentialId = DisplayText.Escape(e.CredentialId),
            TrustId = DisplayText.Escape(e.TrustId),
            ClientId = DisplayText.Escape(e.ClientId),
            ClientIp = DisplayText.Escape(e.ClientIp),
            Subject = DisplayText.Escape(e.Subject),
            Detail = DisplayText.Escape(e.Detail),
        };
    }
}
