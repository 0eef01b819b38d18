using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.Audit;

/// <summary>
/// Accumulates what a token decision learnt as its steps ran (tenant, principal, credential or trust, verified
/// subject) and builds its audit event (API.md audit events) at the end, allowed or denied. One per request; not
/// thread-safe.
/// </summary>
public sealed class TokenDecision
{
    /// <summary>Starts a decision at <paramref name="time"/> for the request's client id and address.</summary>
    public TokenDecision(DateTimeOffset time, string? clientId, string? clientIp)
    {
        Time = time;
        // The client id is the caller's text: bounded before it is stored or logged.
        ClientId = clientId is { Length: > Contracts.Identity.ClientId.MaxLength } ? clientId[..Contracts.Identity.ClientId.MaxLength] : clientId;
        ClientIp = clientIp;
        _requestedClientId = clientId;
    }

    private readonly string? _requestedClientId;
    private string? _tenant;

    /// <summary>The time of the decision.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The request's client id (bounded).</summary>
    public string? ClientId { get; }

    /// <summary>The caller address.</summary>
    public string? ClientIp { get; }

    /// <summary>The tenant the event is recorded under: the client id's domain until an entity is resolved.</summary>
    public string Tenant
    {
        // Parsed only when a decision ends before its entity was resolved (the hot path sets it).
        get => _tenant ??= Contracts.Identity.ClientId.TryParse(_requestedClientId, out var parsed) ? parsed.Tenant : string.Empty;
        set => _tenant = value;
    }

    /// <summary>The service principal, once resolved.</summary>
    public string? PrincipalId { get; set; }

    /// <summary>The credential (client credentials), once resolved.</summary>
    public string? CredentialId { get; set; }

    /// <summary>The trust (exchange), once resolved.</summary>
    public string? TrustId { get; set; }

    /// <summary>The subject token's <c>sub</c>, only once its signature was verified.</summary>
    public string? Subject { get; set; }

    /// <summary>The event of an issued token.</summary>
    public AuditEvent Issued(string detail) => Build(AuditEventTypes.TokenIssued, AuditOutcomes.Allowed, TokenAuditEvents.IssuedReason, detail);

    /// <summary>The event of a refusal, with its stable reason code and a human detail (no token content).</summary>
    public AuditEvent Denied(string reason, string detail) => Build(AuditEventTypes.TokenDenied, AuditOutcomes.Denied, reason, TokenAuditEvents.Sanitize(detail));

    private AuditEvent Build(string type, string outcome, string reason, string detail) =>
        new(Time, type, Tenant, outcome, reason, PrincipalId, CredentialId, TrustId, ClientId, ClientIp, Subject, detail);
}
