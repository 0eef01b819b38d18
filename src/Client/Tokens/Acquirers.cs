using WorkloadFederation.Client.Assertions;
using WorkloadFederation.Client.Platform;
using WorkloadFederation.Client.TokenEndpoint;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Client.Tokens;

/// <summary>RFC 8693 token exchange of a platform token fetched afresh for each exchange.</summary>
internal sealed class ExchangeAcquirer(TokenEndpointClient endpoint, string clientId, IPlatformTokenProvider platform) : ITokenAcquirer
{
    public async Task<TokenResponse> AcquireAsync(CancellationToken ct)
    {
        var subjectToken = await platform.GetTokenAsync(ct).ConfigureAwait(false);
        return await endpoint.RequestAsync(
            _ => ValueTask.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(
            [
                new(OAuthParameters.GrantType, GrantTypes.TokenExchange),
                new(OAuthParameters.ClientId, clientId),
                new(OAuthParameters.SubjectToken, subjectToken),
                new(OAuthParameters.SubjectTokenType, TokenTypes.Jwt),
            ]),
            ct).ConfigureAwait(false);
    }
}

/// <summary>RFC 6749 §4.4 client credentials with an RFC 7523 assertion, signed anew for each attempt (fresh jti).</summary>
internal sealed class ClientCredentialsAcquirer(TokenEndpointClient endpoint, string clientId, ClientAssertionSigner signer) : ITokenAcquirer, IDisposable
{
    /// <summary>Frees the signer's key (held in libsodium's guarded memory).</summary>
    public void Dispose() => signer.Dispose();

    public Task<TokenResponse> AcquireAsync(CancellationToken ct) =>
        endpoint.RequestAsync(
            _ => ValueTask.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(
            [
                new(OAuthParameters.GrantType, GrantTypes.ClientCredentials),
                new(OAuthParameters.ClientId, clientId),
                new(OAuthParameters.ClientAssertionType, ClientAssertionTypes.JwtBearer),
                new(OAuthParameters.ClientAssertion, signer.CreateAssertion()),
            ]),
            ct);
}
