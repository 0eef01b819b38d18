using WorkloadFederation.Client.Jwt;

namespace WorkloadFederation.Client.Tokens;

/// <summary><c>CONDUCTORONE_ACCESS_TOKEN</c>: a ready token, used as is and never renewed.</summary>
internal sealed class StaticAccessTokenSource : IAccessTokenSource
{
    private readonly AccessToken _token;

    public StaticAccessTokenSource(string token, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var expiry = UnverifiedJwt.TryDecode(token, out var jwt, out _) && jwt.ExpiresAt is { } exp ? exp : DateTimeOffset.MaxValue;
        _token = new AccessToken(token, expiry, now);
    }

    public bool CanRenew => false;

    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_token);

    public void Invalidate(AccessToken rejected)
    {
        // A ready token cannot be replaced; the caller sees the server's 401.
    }
}
