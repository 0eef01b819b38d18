using System.Net;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Federation.Exchange;

/// <summary>A token exchange request (RFC 8693 §2.1), as the endpoint parsed it from the form.</summary>
/// <param name="ClientId">The trust's client id.</param>
/// <param name="SubjectToken">The CI platform's OIDC JWT.</param>
/// <param name="SubjectTokenType">The token type URI.</param>
/// <param name="ClientIp">The caller address (socket address, or the forwarded one from a trusted proxy).</param>
public sealed record TokenExchangeRequest(string? ClientId, string? SubjectToken, string? SubjectTokenType, IPAddress? ClientIp)
{
    /// <summary>Never the subject token.</summary>
    public override string ToString() => $"token exchange for {ClientId} from {ClientIp}";
}

/// <summary>
/// The outcome of a grant: a token response or an RFC 6749 §5.2 error with its HTTP status and the stable reason code
/// of the decision (API.md audit reasons). Starts failed; <see cref="Issued"/> is the only success.
/// </summary>
public sealed class GrantResult
{
    private GrantResult()
    {
    }

    /// <summary>True when a token was issued.</summary>
    public bool Success { get; private init; }

    /// <summary>The HTTP status: 200, 400, 401, or 503 when the service cannot decide now.</summary>
    public int StatusCode { get; private init; } = 400;

    /// <summary>The issued access token (success only). Never log it.</summary>
    public string? AccessToken { get; private init; }

    /// <summary>Seconds until the access token expires (success only).</summary>
    public int ExpiresIn { get; private init; }

    /// <summary><c>issued_token_type</c>, set for the token exchange only.</summary>
    public string? IssuedTokenType { get; private init; }

    /// <summary>The OAuth error code (failure only).</summary>
    public string? Error { get; private init; } = OAuthErrors.InvalidRequest;

    /// <summary>The error description: the failed check class, never token content (failure only).</summary>
    public string? ErrorDescription { get; private init; } = "request refused";

    /// <summary>The stable reason code of the decision (a DenialReasons code, or "issued").</summary>
    public string Reason { get; private init; } = Contracts.Audit.DenialReasons.RequestInvalid;

    /// <summary>The issued token's id (success only), for logs and audit.</summary>
    public string? Jti { get; private init; }

    /// <summary>A token was issued.</summary>
    public static GrantResult Issued(string accessToken, int expiresIn, string jti, string? issuedTokenType) => new()
    {
        Success = true,
        StatusCode = 200,
        AccessToken = accessToken ?? throw new ArgumentNullException(nameof(accessToken)),
        ExpiresIn = expiresIn,
        Jti = jti,
        IssuedTokenType = issuedTokenType,
        Error = null,
        ErrorDescription = null,
        Reason = Audit.TokenAuditEvents.IssuedReason,
    };

    /// <summary>A refusal.</summary>
    public static GrantResult Denied(string error, string description, string reason, int statusCode) => new()
    {
        Success = false,
        StatusCode = statusCode,
        Error = error,
        ErrorDescription = description,
        Reason = reason,
    };

    /// <summary>The success body (RFC 6749 §5.1); throws for a failure.</summary>
    public TokenResponse ToTokenResponse() => Success
        ? new TokenResponse(AccessToken!, TokenTypes.Bearer, ExpiresIn, IssuedTokenType)
        : throw new InvalidOperationException("not a successful grant");

    /// <summary>The error body (RFC 6749 §5.2); throws for a success.</summary>
    public OAuthErrorResponse ToErrorResponse() => !Success
        ? new OAuthErrorResponse(Error!, ErrorDescription)
        : throw new InvalidOperationException("not a failed grant");

    /// <summary>Never the token.</summary>
    public override string ToString() => Success ? $"issued (jti {Jti}, {ExpiresIn} s)" : $"{StatusCode} {Error}: {ErrorDescription} [{Reason}]";
}
