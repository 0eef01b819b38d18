using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.Audit;

/// <summary>Shared rules of token decision events (<see cref="TokenDecision"/> builds them): the issued reason, the detail bound.</summary>
public static class TokenAuditEvents
{
    /// <summary>The reason recorded for an issued token.</summary>
    public const string IssuedReason = "issued";

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
