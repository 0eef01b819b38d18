using WorkloadFederation.Client.Admin;
using WorkloadFederation.Client.Assertions;
using WorkloadFederation.Client.Configuration;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Http;
using WorkloadFederation.Client.Platform;
using WorkloadFederation.Client.TokenEndpoint;
using WorkloadFederation.Client.Tokens;

namespace WorkloadFederation.Client;

/// <summary>
/// The SDK's entry point: resolves credentials from the environment (API.md "Environment of client tools") and
/// explicit options, and gives a renewing token source, an authenticated <see cref="HttpClient"/>, and the admin API.
/// <code>
/// using var wif = WifClient.FromEnvironment();
/// using var http = wif.CreateHttpClient(new Uri("https://api.example.com/"));
/// </code>
/// </summary>
public sealed class WifClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RetryingSender _sender;
    private readonly IAccessTokenSource _tokens;
    private readonly WifClientOptions _options;
    private readonly IDisposable? _disposableTokens;

    private WifClient(ResolvedCredentials credentials, WifClientOptions options)
    {
        Credentials = credentials;
        _options = options;
        var time = options.TimeProvider ?? TimeProvider.System;
        _http = options.HttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false) { Timeout = options.RequestTimeout }
            : new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = options.RequestTimeout };
        _sender = new RetryingSender(_http, options.Retry, time);

        if (credentials.Kind == CredentialKind.AccessToken)
        {
            _tokens = new StaticAccessTokenSource(credentials.AccessToken!, time);
            return;
        }

        var endpoint = new TokenEndpointClient(_sender, TokenEndpointClient.For(credentials.ServerUrl!));
        TokenEndpoint = endpoint.Endpoint;
        var clientId = credentials.ClientId!.Value.Value;
        ITokenAcquirer acquirer = credentials.Kind switch
        {
            CredentialKind.ClientSecret => new ClientCredentialsAcquirer(
                endpoint,
                clientId,
                new ClientAssertionSigner(credentials.Secret!, clientId, credentials.TenantDomain!, ValidLifetime(options.AssertionLifetime), time)),
            _ => new ExchangeAcquirer(endpoint, clientId, CreatePlatformToken(credentials, time)),
        };
        var caching = new CachingTokenSource(acquirer, time, options.RenewBeforeExpiry);
        _tokens = caching;
        _disposableTokens = caching;
    }

    /// <summary>What the credential chain chose.</summary>
    public ResolvedCredentials Credentials { get; }

    /// <summary>The token endpoint used, when tokens are obtained (not for a ready access token).</summary>
    public Uri? TokenEndpoint { get; }

    /// <summary>The renewing token source.</summary>
    public IAccessTokenSource Tokens => _tokens;

    /// <summary>Resolves the credential chain and builds a client; throws <see cref="WifConfigurationException"/> naming the variable at fault.</summary>
    public static WifClient FromEnvironment(WifClientOptions? options = null)
    {
        options ??= new WifClientOptions();
        var credentials = CredentialResolver.Resolve(options).GetOrThrow();
        return new WifClient(credentials, options);
    }

    /// <summary>An access token valid now (cached and renewed before expiry).</summary>
    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default) => _tokens.GetTokenAsync(cancellationToken);

    /// <summary>A handler that adds the bearer token, in front of <paramref name="inner"/> (default: a new <see cref="SocketsHttpHandler"/>).</summary>
    public BearerTokenHandler CreateHandler(HttpMessageHandler? inner = null) =>
        new(_tokens, inner ?? new SocketsHttpHandler { AllowAutoRedirect = false });

    /// <summary>An <see cref="HttpClient"/> that calls <paramref name="baseAddress"/> with the bearer token.</summary>
    public HttpClient CreateHttpClient(Uri? baseAddress = null) =>
        new(CreateHandler(), disposeHandler: true) { BaseAddress = baseAddress ?? Credentials.RequireServerUrl() };

    /// <summary>The admin API of the node (<c>/api/v1</c>), authenticated with this client's tokens.</summary>
    public WifAdminClient CreateAdminClient()
    {
        var server = Credentials.RequireServerUrl();
        var handler = new BearerTokenHandler(_tokens, _options.HttpHandler is { } h ? new NonDisposingHandler(h) : new SocketsHttpHandler { AllowAutoRedirect = false });
        var http = new HttpClient(handler, disposeHandler: true) { Timeout = _options.RequestTimeout };
        return new WifAdminClient(http, new RetryingSender(http, _options.Retry, _options.TimeProvider ?? TimeProvider.System), server);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposableTokens?.Dispose();
        _http.Dispose();
    }

    internal IPlatformTokenProvider CreatePlatformToken(ResolvedCredentials credentials, TimeProvider time) =>
        credentials.Kind == CredentialKind.GitHubActions
            ? new GitHubActionsPlatformToken(_sender, credentials.GitHubRequestUrl!, credentials.GitHubRequestToken!, credentials.PlatformAudience!)
            : new VariablePlatformToken(credentials.CredentialSource, credentials.StaticPlatformToken!, credentials.ReRead, time);

    /// <summary>
    /// The platform token an exchange would send now, for diagnostics (<c>wif doctor</c>); fetched afresh on GitHub.
    /// Only for the federated kinds; a ready access token or a client secret has none.
    /// </summary>
    public Task<string> GetPlatformTokenAsync(CancellationToken cancellationToken = default) =>
        Credentials.Kind is CredentialKind.AccessToken or CredentialKind.ClientSecret
            ? throw new InvalidOperationException($"a {Credentials.Kind} credential has no platform token")
            : CreatePlatformToken(Credentials, _options.TimeProvider ?? TimeProvider.System).GetTokenAsync(cancellationToken);

    private static TimeSpan ValidLifetime(TimeSpan lifetime) =>
        lifetime > TimeSpan.Zero && lifetime <= ClientAssertionSigner.MaxLifetime
            ? lifetime
            : throw new WifConfigurationException(nameof(WifClientOptions.AssertionLifetime), $"AssertionLifetime must be more than 0 and at most {ClientAssertionSigner.MaxLifetime.TotalMinutes} minutes");

    private sealed class NonDisposingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // The caller owns the shared handler given in the options.
        }
    }
}
