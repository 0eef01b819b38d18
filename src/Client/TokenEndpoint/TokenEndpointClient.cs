using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Http;
using WorkloadFederation.Client.Telemetry;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Client.TokenEndpoint;

/// <summary>Posts forms to <c>/auth/v1/token</c> and turns answers into <see cref="TokenResponse"/> or typed errors.</summary>
internal sealed class TokenEndpointClient(RetryingSender sender, Uri tokenEndpoint)
{
    private const int MaxResponseBytes = 64 * 1024;

    public Uri Endpoint { get; } = tokenEndpoint;

    /// <summary>Builds <c>&lt;base&gt;/auth/v1/token</c>, keeping a base path.</summary>
    public static Uri For(Uri serverUrl) => new(serverUrl, EndpointPaths.Token.TrimStart('/'));

    /// <summary>Sends the form built afresh for each attempt and returns the parsed success answer.</summary>
    public async Task<TokenResponse> RequestAsync(Func<CancellationToken, ValueTask<IReadOnlyList<KeyValuePair<string, string>>>> form, CancellationToken ct)
    {
        using var activity = ClientTelemetry.Source.StartActivity("wif.client.token_request", ActivityKind.Client);
        activity?.SetTag("server.address", Endpoint.Host);
        try
        {
            var result = await RequestCoreAsync(form, ct).ConfigureAwait(false);
            ClientTelemetry.TokenRequests.Add(1, new KeyValuePair<string, object?>("outcome", "issued"));
            return result;
        }
        catch (WifTokenRequestException ex)
        {
            ClientTelemetry.TokenRequests.Add(1, new KeyValuePair<string, object?>("outcome", ex.Error ?? "failed"));
            activity?.SetStatus(ActivityStatusCode.Error, ex.Error ?? "failed");
            throw;
        }
        catch (WifException)
        {
            ClientTelemetry.TokenRequests.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            activity?.SetStatus(ActivityStatusCode.Error, "failed");
            throw;
        }
    }

    private async Task<TokenResponse> RequestCoreAsync(Func<CancellationToken, ValueTask<IReadOnlyList<KeyValuePair<string, string>>>> form, CancellationToken ct)
    {
        using var response = await sender.SendAsync(
            async c =>
            {
                var fields = await form(c).ConfigureAwait(false);
                var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new FormUrlEncodedContent(fields) };
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return request;
            },
            retryServerErrors: true,
            ct).ConfigureAwait(false);

        var (body, truncated) = await RetryingSender.ReadBodyAsync(response, MaxResponseBytes, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            if (truncated)
            {
                throw Malformed(response.StatusCode, $"the token response exceeds {MaxResponseBytes} bytes");
            }

            return ParseSuccess(response.StatusCode, body);
        }

        throw ParseError(response, body, sender.RetryAfter(response));
    }

    private static TokenResponse ParseSuccess(HttpStatusCode status, byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(status, "the token response is not a JSON object");
            }

            if (!root.TryGetProperty("access_token", out var at) || at.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(at.GetString()))
            {
                throw Malformed(status, "the token response has no access_token");
            }

            if (!root.TryGetProperty("token_type", out var tt) || tt.ValueKind != JsonValueKind.String
                || !string.Equals(tt.GetString(), TokenTypes.Bearer, StringComparison.OrdinalIgnoreCase))
            {
                throw Malformed(status, "the token response's token_type is not Bearer");
            }

            if (!root.TryGetProperty("expires_in", out var ei) || ei.ValueKind != JsonValueKind.Number || !ei.TryGetInt32(out var expiresIn) || expiresIn <= 0)
            {
                throw Malformed(status, "the token response's expires_in is not a positive integer");
            }

            string? issued = root.TryGetProperty("issued_token_type", out var itt) && itt.ValueKind == JsonValueKind.String ? itt.GetString() : null;
            return new TokenResponse(at.GetString()!, TokenTypes.Bearer, expiresIn, issued);
        }
        catch (JsonException)
        {
            throw Malformed(status, "the token response is not JSON");
        }
    }

    private static WifTokenRequestException ParseError(HttpResponseMessage response, byte[] body, TimeSpan? retryAfter)
    {
        string? error = null;
        string? description = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String)
                {
                    error = RetryingSender.Sanitize(e.GetString(), 64);
                }

                if (doc.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String)
                {
                    description = RetryingSender.Sanitize(d.GetString());
                }
            }
        }
        catch (JsonException)
        {
            // Not an RFC 6749 error body (a proxy's HTML page, say): the status alone is reported.
        }

        var status = (int)response.StatusCode;
        var message = error is null
            ? $"the token endpoint {RetryingSender.Redact(response.RequestMessage?.RequestUri ?? new Uri("about:blank"))} answered HTTP {status} {response.ReasonPhrase} without an OAuth error body{(response.StatusCode == HttpStatusCode.NotFound ? " (is the server URL the node's base URL?)" : string.Empty)}"
            : description is { Length: > 0 }
                ? $"the token endpoint refused the request: {error}: {description}"
                : $"the token endpoint refused the request: {error}";
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            message += retryAfter is { } wait ? $" (rate limited; retry after {wait.TotalSeconds:0} s)" : " (rate limited)";
        }

        return new WifTokenRequestException(response.StatusCode, error, description, retryAfter, message);
    }

    private static WifTokenRequestException Malformed(HttpStatusCode status, string message) =>
        new(status, null, null, null, message);
}
