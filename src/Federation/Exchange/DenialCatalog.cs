using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Federation.Exchange;

/// <summary>
/// How each denial reason appears to the caller (API.md "Failure"): the OAuth error, the HTTP status and a
/// description naming the check class only. Unknown and disabled trusts (and a disabled principal) look the same.
/// </summary>
public static class DenialCatalog
{
    private const string UnknownClient = "unknown or disabled client";
    private const string ClientAuthenticationFailed = "client authentication failed";

    private static readonly Dictionary<string, (string Error, int Status, string Description)> Entries = new(StringComparer.Ordinal)
    {
        [DenialReasons.RequestInvalid] = (OAuthErrors.InvalidRequest, 400, "invalid request"),
        [DenialReasons.TrustNotFound] = (OAuthErrors.InvalidClient, 401, UnknownClient),
        [DenialReasons.TrustDisabled] = (OAuthErrors.InvalidClient, 401, UnknownClient),
        [DenialReasons.SpDisabled] = (OAuthErrors.InvalidClient, 401, UnknownClient),
        [DenialReasons.InvalidJwtFormat] = (OAuthErrors.InvalidGrant, 400, "malformed token"),
        [DenialReasons.IssuerMismatch] = (OAuthErrors.InvalidGrant, 400, "issuer mismatch"),
        [DenialReasons.AlgorithmNotAllowed] = (OAuthErrors.InvalidGrant, 400, "signing algorithm not allowed"),
        [DenialReasons.UnknownKey] = (OAuthErrors.InvalidGrant, 400, "unknown signing key"),
        [DenialReasons.SignatureInvalid] = (OAuthErrors.InvalidGrant, 400, "signature invalid"),
        [DenialReasons.AudienceMismatch] = (OAuthErrors.InvalidGrant, 400, "audience mismatch"),
        [DenialReasons.TokenExpired] = (OAuthErrors.InvalidGrant, 400, "token expired"),
        [DenialReasons.TokenNotYetValid] = (OAuthErrors.InvalidGrant, 400, "token not yet valid"),
        [DenialReasons.TokenTooOld] = (OAuthErrors.InvalidGrant, 400, "token too old"),
        [DenialReasons.CelConditionNotMet] = (OAuthErrors.InvalidGrant, 400, "condition not satisfied"),
        [DenialReasons.CelEvaluationError] = (OAuthErrors.InvalidGrant, 400, "condition could not be evaluated"),
        [DenialReasons.IpNotAllowed] = (OAuthErrors.UnauthorizedClient, 400, "client address not allowed"),
        [DenialReasons.ProviderKeysUnavailable] = (OAuthErrors.TemporarilyUnavailable, 503, "issuer keys unavailable; retry later"),
        // One answer whether the credential exists or not: the difference is kept in the audit reason only.
        [DenialReasons.CredentialNotFound] = (OAuthErrors.InvalidClient, 401, ClientAuthenticationFailed),
        [DenialReasons.AssertionInvalid] = (OAuthErrors.InvalidClient, 401, ClientAuthenticationFailed),
        [DenialReasons.AssertionReplayed] = (OAuthErrors.InvalidClient, 401, "client assertion replayed"),
        [DenialReasons.ClientSecretInvalid] = (OAuthErrors.InvalidClient, 401, ClientAuthenticationFailed),
        [DenialReasons.CredentialRevoked] = (OAuthErrors.InvalidClient, 401, "credential revoked"),
        [DenialReasons.CredentialExpired] = (OAuthErrors.InvalidClient, 401, "credential expired"),
    };

    /// <summary>Reason recorded when the node has no usable signing key (a server fault, not the caller's).</summary>
    public const string SigningUnavailable = "signing_key_unavailable";

    /// <summary>Reason recorded when the replay store cannot be reached (a server fault, not the caller's).</summary>
    public const string ReplayStoreUnavailable = "replay_store_unavailable";

    /// <summary>The caller-facing result of a denial.</summary>
    public static GrantResult Deny(string reason) => Entries.TryGetValue(reason, out var entry)
        ? GrantResult.Denied(entry.Error, entry.Description, reason, entry.Status)
        : reason switch
        {
            SigningUnavailable => GrantResult.Denied(OAuthErrors.TemporarilyUnavailable, "token signing unavailable; retry later", reason, 503),
            ReplayStoreUnavailable => GrantResult.Denied(OAuthErrors.TemporarilyUnavailable, "service temporarily unavailable; retry later", reason, 503),
            _ => GrantResult.Denied(OAuthErrors.InvalidRequest, "request refused", reason, 400),
        };

    /// <summary>The caller-facing description of a reason (for tests and docs).</summary>
    public static string DescriptionOf(string reason) => Deny(reason).ErrorDescription!;
}
