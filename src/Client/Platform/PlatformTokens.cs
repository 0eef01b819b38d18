using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Http;
using WorkloadFederation.Client.Jwt;

namespace WorkloadFederation.Client.Platform;

/// <summary>Supplies the CI platform's OIDC token for one exchange.</summary>
internal interface IPlatformTokenProvider
{
    /// <summary>Where the token comes from (a variable name or the GitHub request endpoint).</summary>
    string Source { get; }

    /// <summary>A token for one exchange: fetched afresh where the platform allows, refused locally when expired.</summary>
    Task<string> GetTokenAsync(CancellationToken ct);
}

/// <summary>
/// A token handed over in a variable (<c>CONDUCTORONE_OIDC_TOKEN</c>, <c>TFC_WORKLOAD_IDENTITY_TOKEN*</c>). The variable
/// is read again for each exchange (a host may refresh it), and an expired token is refused here instead of being
/// sent: the platform must provide a fresh one.
/// </summary>
internal sealed class VariablePlatformToken(string source, string initial, Func<string, string?>? reRead, TimeProvider time) : IPlatformTokenProvider
{
    /// <summary>Tolerated clock difference with the platform.</summary>
    internal static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    public string Source { get; } = source;

    public Task<string> GetTokenAsync(CancellationToken ct)
    {
        var token = reRead?.Invoke(Source) ?? initial;
        if (!UnverifiedJwt.TryDecode(token, out var jwt, out var error))
        {
            throw new WifPlatformTokenException(Source, $"{Source} is not a JWT: {error}");
        }

        var now = time.GetUtcNow();
        if (jwt.ExpiresAt is { } exp && exp + Skew <= now)
        {
            throw new WifPlatformTokenException(Source, $"{Source} expired at {exp:yyyy-MM-ddTHH:mm:ssZ} ({Ago(now - exp)} ago); platform tokens live minutes, so the platform must provide a fresh one");
        }

        if (jwt.NotBefore is { } nbf && nbf - Skew > now)
        {
            throw new WifPlatformTokenException(Source, $"{Source} is not valid before {nbf:yyyy-MM-ddTHH:mm:ssZ}");
        }

        return Task.FromResult(token);
    }

    internal static string Ago(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s" : $"{Math.Max(0, (int)span.TotalSeconds)} s";
}

/// <summary>
/// GitHub Actions: asks <c>ACTIONS_ID_TOKEN_REQUEST_URL</c> (with <c>audience</c>) for a new OIDC token for every
/// exchange, authorized by <c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c>.
/// </summary>
internal sealed class GitHubActionsPlatformToken(RetryingSender sender, Uri requestUrl, string requestToken, string audience) : IPlatformTokenProvider
{
    private const int MaxResponseBytes = 64 * 1024;

    public string Source => Contracts.Environment.EnvironmentVariables.GitHubTokenRequestUrl;

    /// <summary>The request URL with <c>audience</c> appended to its existing query.</summary>
    public Uri RequestUri { get; } = WithAudience(requestUrl, audience);

    public async Task<string> GetTokenAsync(CancellationToken ct)
    {
        using var response = await sender.SendAsync(
            _ =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, RequestUri);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", requestToken);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return ValueTask.FromResult(request);
            },
            retryServerErrors: true,
            ct).ConfigureAwait(false);
        var (body, truncated) = await RetryingSender.ReadBodyAsync(response, MaxResponseBytes, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? " (is ACTIONS_ID_TOKEN_REQUEST_TOKEN the job's, and does the job have 'permissions: id-token: write'?)"
                : string.Empty;
            throw new WifPlatformTokenException(Source, $"GitHub's OIDC token request answered HTTP {(int)response.StatusCode}{hint}");
        }

        try
        {
            if (truncated)
            {
                throw new JsonException();
            }

            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("value", out var value)
                && value.ValueKind == JsonValueKind.String
                && UnverifiedJwt.TryDecode(value.GetString(), out _, out _))
            {
                return value.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Reported below.
        }

        throw new WifPlatformTokenException(Source, "GitHub's OIDC token request answered without a JWT in 'value'");
    }

    private static Uri WithAudience(Uri url, string audience)
    {
        var separator = string.IsNullOrEmpty(url.Query) ? "?" : "&";
        return new Uri(url.AbsoluteUri + separator + "audience=" + Uri.EscapeDataString(audience));
    }
}
