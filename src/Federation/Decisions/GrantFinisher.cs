using System.Diagnostics;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Text;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Federation.Decisions;

/// <summary>
/// Ends a grant decision the same way for both grants: the caller-facing result (<see cref="DenialCatalog"/>), the
/// log line, the audit event built by the decision's <see cref="TokenDecision"/>, the metrics and span tags.
/// Thread-safe.
/// </summary>
public sealed class GrantFinisher
{
    private readonly string _grantType;
    private readonly IAuditSink _audit;
    private readonly ILogger _logger;

    /// <summary>Creates the finisher of one grant type (<c>GrantTypes.*</c>).</summary>
    public GrantFinisher(string grantType, IAuditSink audit, ILogger logger)
    {
        _grantType = grantType ?? throw new ArgumentNullException(nameof(grantType));
        _audit = audit ?? throw new ArgumentNullException(nameof(audit));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Refuses with <paramref name="reason"/> as <see cref="DenialCatalog"/> shows it to the caller.</summary>
    public GrantResult Deny(TokenDecision decision, string reason, string detail, Activity? activity, long started)
    {
        ArgumentNullException.ThrowIfNull(decision);
        // The client id is the caller's text until a credential or trust matched it: escaped for the log.
        Log.GrantDenied(_logger, _grantType, DisplayText.Escape(decision.ClientId), reason);
        return Finish(decision, DenialCatalog.Deny(reason), detail, activity, started);
    }

    /// <summary>Records <paramref name="result"/> (issued or refused) and returns it.</summary>
    public GrantResult Finish(TokenDecision decision, GrantResult result, string detail, Activity? activity, long started)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(result);
        _audit.Record(result.Success ? decision.Issued(detail) : decision.Denied(result.Reason, detail));
        var outcome = result.Success ? AuditOutcomes.Allowed : AuditOutcomes.Denied;
        FederationTelemetry.TokenDecisions.Add(
            1,
            new KeyValuePair<string, object?>("grant", _grantType),
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("reason", result.Reason));
        FederationTelemetry.GrantDuration.Record(
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("grant", _grantType));
        activity?.SetTag("wif.grant", _grantType);
        activity?.SetTag("wif.outcome", outcome);
        activity?.SetTag("wif.reason", result.Reason);
        return result;
    }
}
