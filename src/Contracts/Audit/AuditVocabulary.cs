namespace WorkloadFederation.Contracts.Audit;

/// <summary>Stable denial reason codes (API.md, audit events). Never renamed once shipped.</summary>
public static class DenialReasons
{
    public const string TrustNotFound = "trust_not_found";
    public const string TrustDisabled = "trust_disabled";
    public const string InvalidJwtFormat = "invalid_jwt_format";
    public const string AlgorithmNotAllowed = "algorithm_not_allowed";
    public const string UnknownKey = "unknown_key";
    public const string IssuerMismatch = "issuer_mismatch";
    public const string SignatureInvalid = "signature_invalid";
    public const string AudienceMismatch = "audience_mismatch";
    public const string TokenExpired = "token_expired";
    public const string TokenNotYetValid = "token_not_yet_valid";
    public const string TokenTooOld = "token_too_old";
    public const string CelConditionNotMet = "cel_condition_not_met";
    public const string CelEvaluationError = "cel_evaluation_error";
    public const string IpNotAllowed = "ip_not_allowed";
    public const string SpDisabled = "sp_disabled";
    public const string CredentialExpired = "credential_expired";
    public const string CredentialRevoked = "credential_revoked";
    public const string AssertionInvalid = "assertion_invalid";
    public const string AssertionReplayed = "assertion_replayed";
    // Extensions (API.md allows extending, never changing).
    public const string CredentialNotFound = "credential_not_found";
    public const string ClientSecretInvalid = "client_secret_invalid";
    public const string RequestInvalid = "request_invalid";
    public const string RateLimited = "rate_limited";
    public const string ProviderKeysUnavailable = "provider_keys_unavailable";
}

/// <summary>Audit event types.</summary>
public static class AuditEventTypes
{
    public const string TokenIssued = "token.issued";
    public const string TokenDenied = "token.denied";
    public const string TokenRevoked = "token.revoked";

    /// <summary>Builds <c>admin.&lt;object&gt;.&lt;verb&gt;</c>, e.g. <c>admin.trust.create</c>.</summary>
    public static string Admin(string objectKind, string verb) => $"admin.{objectKind}.{verb}";
}

/// <summary>Audit outcomes.</summary>
public static class AuditOutcomes
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string Succeeded = "succeeded";
}
