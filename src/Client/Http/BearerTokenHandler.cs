using System.Net;
using System.Net.Http.Headers;
using WorkloadFederation.Client.Tokens;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Client.Http;

/// <summary>
/// Adds <c>Authorization: Bearer &lt;access token&gt;</c> to every request, from a renewing
/// <see cref="IAccessTokenSource"/>. When the API answers 401, the token is forgotten; a request without a body is
/// sent once more with a new token.
/// </summary>
public sealed class BearerTokenHandler : DelegatingHandler
{
    private readonly IAccessTokenSource _tokens;

    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> or use the other constructor.</summary>
    public BearerTokenHandler(IAccessTokenSource tokens) => _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));

    /// <summary>Creates the handler in front of <paramref name="inner"/>.</summary>
    public BearerTokenHandler(IAccessTokenSource tokens, HttpMessageHandler inner)
        : base(inner) => _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue(TokenTypes.Bearer, token.Value);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !_tokens.CanRenew)
        {
            return response;
        }

        _tokens.Invalidate(token);
        if (request.Content is not null)
        {
            return response;
        }

        response.Dispose();
        var renewed = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue(TokenTypes.Bearer, renewed.Value);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
