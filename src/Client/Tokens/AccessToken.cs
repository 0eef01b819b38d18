using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Client.Tokens;

/// <summary>An access token with its expiry. <see cref="ToString"/> never shows the token.</summary>
public sealed class AccessToken
{
    /// <summary>Creates an access token value.</summary>
    public AccessToken(string value, DateTimeOffset expiresAt, DateTimeOffset obtainedAt, TokenResponse? response = null)
    {
        Value = value;
        ExpiresAt = expiresAt;
        ObtainedAt = obtainedAt;
        Response = response;
    }

    /// <summary>The bearer token.</summary>
    public string Value { get; }

    /// <summary>When it expires (from <c>expires_in</c>, or the token's <c>exp</c> for a ready token).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>When the client obtained it.</summary>
    public DateTimeOffset ObtainedAt { get; }

    /// <summary>The token endpoint's answer, when this token came from one.</summary>
    public TokenResponse? Response { get; }

    /// <summary>Never the token.</summary>
    public override string ToString() => $"access token expiring {ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}";
}

/// <summary>Gives an access token, renewing it as needed. Implementations are thread-safe.</summary>
public interface IAccessTokenSource
{
    /// <summary>A token valid now (cached, or obtained when missing or about to expire).</summary>
    ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default);

    /// <summary>Forgets <paramref name="rejected"/> (the server refused it) so that the next call obtains a new one.</summary>
    void Invalidate(AccessToken rejected);

    /// <summary>False when the token cannot be renewed (a ready access token).</summary>
    bool CanRenew { get; }
}

/// <summary>Obtains a new token from the token endpoint (one exchange or one client-credentials grant).</summary>
internal interface ITokenAcquirer
{
    Task<TokenResponse> AcquireAsync(CancellationToken ct);
}
