using System.Net;
using System.Text.Json;
using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>
/// Fetches JWKS over guarded HTTP: OIDC discovery (whose <c>issuer</c> must equal the configured issuer exactly) or an
/// explicit <c>jwks_uri</c>; https only (http only for development issuers, and then only to loopback); any redirect
/// is an error (never followed); each response is bounded in time and size while it is read.
/// </summary>
public sealed class HttpJwksFetcher : IJwksFetcher, IDisposable
{
    private const int MaxDiscoveryDepth = 16;

    private readonly HttpClient _public;
    private readonly HttpClient _development;
    private readonly ProviderKeyOptions _options;

    /// <summary>A fetcher over guarded HTTP with the time and size bounds of <paramref name="options"/>.</summary>
    public HttpJwksFetcher(ProviderKeyOptions options)
        : this(options, null)
    {
    }

    internal HttpJwksFetcher(ProviderKeyOptions options, HostResolver? resolver)
    {
        _options = options;
        _public = new HttpClient(GuardedHttp.CreatePublicHandler(options.FetchTimeout, resolver)) { Timeout = Timeout.InfiniteTimeSpan };
        _development = new HttpClient(GuardedHttp.CreateDevelopmentHandler(options.FetchTimeout, resolver)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc />
    public async Task<JwksFetchResult> FetchAsync(ProviderKeySource source, CancellationToken cancellationToken)
    {
        var client = source.DevelopmentIssuer ? _development : _public;
        Uri jwksUri;
        if (source.JwksUri is not null)
        {
            if (CheckUri(source.JwksUri, source.DevelopmentIssuer, "jwks_uri", out var explicitUri) is { } uriError)
            {
                return JwksFetchResult.Failure(uriError);
            }

            jwksUri = explicitUri!;
        }
        else
        {
            var discovered = await DiscoverAsync(client, source, cancellationToken).ConfigureAwait(false);
            if (discovered.Error is not null)
            {
                return JwksFetchResult.Failure(discovered.Error);
            }

            jwksUri = discovered.JwksUri!;
        }

        var response = await GetAsync(client, jwksUri, "JWKS", cancellationToken).ConfigureAwait(false);
        if (response.Error is not null)
        {
            return JwksFetchResult.Failure(response.Error);
        }

        if (!JsonWebKeySet.TryParse(response.Body, _options.Jwks, out var set, out var jwksError))
        {
            return JwksFetchResult.Failure($"The JWKS at {jwksUri} is invalid: {jwksError}");
        }

        return JwksFetchResult.Success(set!, response.MaxAge);
    }

    private async Task<(Uri? JwksUri, string? Error)> DiscoverAsync(HttpClient client, ProviderKeySource source, CancellationToken ct)
    {
        // OIDC Discovery §4: the issuer with any trailing '/' removed, followed by /.well-known/openid-configuration.
        if (CheckUri(source.Issuer.TrimEnd('/') + OpenIdDiscovery.ConfigurationPath, source.DevelopmentIssuer, "issuer", out var discoveryUri) is { } uriError)
        {
            return (null, uriError);
        }

        var response = await GetAsync(client, discoveryUri!, "discovery document", ct).ConfigureAwait(false);
        if (response.Error is not null)
        {
            return (null, response.Error);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(response.Body, new JsonDocumentOptions { MaxDepth = MaxDiscoveryDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return (null, $"The discovery document at {discoveryUri} is not valid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, $"The discovery document at {discoveryUri} is not a JSON object.");
            }

            // OIDC Discovery §4.3: the issuer in the document must be identical to the one the configuration names.
            if (!root.TryGetProperty(OpenIdDiscovery.Issuer, out var issuer) || issuer.ValueKind != JsonValueKind.String
                || !string.Equals(issuer.GetString(), source.Issuer, StringComparison.Ordinal))
            {
                return (null, $"The discovery document at {discoveryUri} names a different issuer than the provider's configured issuer (exact match required).");
            }

            if (!root.TryGetProperty(OpenIdDiscovery.JwksUri, out var jwks) || jwks.ValueKind != JsonValueKind.String)
            {
                return (null, $"The discovery document at {discoveryUri} has no jwks_uri string.");
            }

            if (CheckUri(jwks.GetString()!, source.DevelopmentIssuer, "discovered jwks_uri", out var jwksUri) is { } jwksUriError)
            {
                return (null, jwksUriError);
            }

            return (jwksUri, null);
        }
    }

    private async Task<(ReadOnlyMemory<byte> Body, TimeSpan? MaxAge, string? Error)> GetAsync(HttpClient client, Uri uri, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.FetchTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                return (default, null, $"The {what} at {uri} answered with a redirect (HTTP {status}); redirects are not followed.");
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (default, null, $"The {what} at {uri} answered HTTP {status}.");
            }

            if (response.Content.Headers.ContentLength is { } declared && declared > _options.MaxResponseBytes)
            {
                return (default, null, $"The {what} at {uri} is {declared} bytes, over the limit of {_options.MaxResponseBytes} bytes.");
            }

            var body = await ReadBoundedAsync(response.Content, _options.MaxResponseBytes, timeout.Token).ConfigureAwait(false);
            if (body is null)
            {
                return (default, null, $"The {what} at {uri} is over the limit of {_options.MaxResponseBytes} bytes.");
            }

            var maxAge = response.Headers.CacheControl is { NoStore: false, NoCache: false, MaxAge: { } age } ? age : (TimeSpan?)null;
            return (body, maxAge, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (default, null, $"The {what} at {uri} did not answer within {_options.FetchTimeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex)
        {
            return (default, null, $"The {what} at {uri} could not be fetched: {Describe(ex)}");
        }
        catch (OutboundFetchException ex)
        {
            return (default, null, $"The {what} at {uri} could not be fetched: {ex.Message}");
        }
        catch (IOException)
        {
            return (default, null, $"The {what} at {uri} could not be fetched: the connection failed while reading.");
        }
    }

    private static string Describe(HttpRequestException ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundFetchException refused)
            {
                return refused.Message;
            }
        }

        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the host name could not be resolved.",
            HttpRequestError.ConnectionError => "the connection failed.",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed.",
            HttpRequestError.ResponseEnded => "the response ended early.",
            HttpRequestError.InvalidResponse => "the response was not valid HTTP.",
            HttpRequestError.ConfigurationLimitExceeded => "the response headers exceeded a limit.",
            _ => "the request failed.",
        };
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new byte[Math.Min(maxBytes + 1, 16 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > maxBytes)
                {
                    return null;
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxBytes + 1));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (length > maxBytes)
            {
                return null;
            }
        }

        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>Checks a URI against the scheme rules: absolute, https (http only for a development issuer), no user info.</summary>
    internal static string? CheckUri(string text, bool development, string what, out Uri? uri)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out uri))
        {
            return $"The {what} is not an absolute URI.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            uri = null;
            return $"The {what} must not carry user info or a fragment.";
        }

        if (uri.Scheme == Uri.UriSchemeHttps || (development && uri.Scheme == Uri.UriSchemeHttp))
        {
            return null;
        }

        var scheme = uri.Scheme;
        uri = null;
        return development
            ? $"The {what} uses the scheme {scheme}; only https, or http to loopback for a development issuer, is allowed."
            : $"The {what} uses the scheme {scheme}; only https is allowed.";
    }

    public void Dispose()
    {
        _public.Dispose();
        _development.Dispose();
    }
}
