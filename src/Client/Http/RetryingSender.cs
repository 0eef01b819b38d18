using System.Net;
using System.Text;
using WorkloadFederation.Client.Configuration;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Telemetry;

namespace WorkloadFederation.Client.Http;

/// <summary>
/// Sends a request with bounded retries: on 429 (waiting <c>Retry-After</c> when given, else back-off), on 5xx when
/// the request may be repeated, and on network failures; never on 4xx other than 429.
/// </summary>
internal sealed class RetryingSender
{
    private const int MaxAttemptsLimit = 10;
    private readonly HttpClient _http;
    private readonly RetryOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    public RetryingSender(HttpClient http, RetryOptions options, TimeProvider time)
    {
        _http = http;
        _options = options;
        _time = time;
        _delay = options.Delay ?? ((d, ct) => Task.Delay(d, time, ct));
        if (options.MaxAttempts is < 1 or > MaxAttemptsLimit)
        {
            throw new WifConfigurationException(nameof(RetryOptions.MaxAttempts), $"RetryOptions.MaxAttempts must be 1..{MaxAttemptsLimit}");
        }
    }

    /// <summary>Sends until a final answer; returns it (also when it is an error status).</summary>
    /// <param name="createRequest">Builds a fresh request for each attempt (a client assertion must not be re-sent).</param>
    /// <param name="retryServerErrors">False for requests that must not be repeated after the server may have acted.</param>
    /// <param name="ct">Cancels the whole exchange, waits included.</param>
    public async Task<HttpResponseMessage> SendAsync(Func<CancellationToken, ValueTask<HttpRequestMessage>> createRequest, bool retryServerErrors, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == _options.MaxAttempts;
            using var request = await createRequest(ct).ConfigureAwait(false);
            var endpoint = request.RequestUri!;
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                if (last)
                {
                    var what = ex is TaskCanceledException ? "timed out" : "failed";
                    throw new WifTransportException(endpoint, $"the request to {Redact(endpoint)} {what} after {attempt} attempt(s): {ex.Message}", ex);
                }

                ClientTelemetry.Retries.Add(1);
                await _delay(Backoff(attempt), ct).ConfigureAwait(false);
                continue;
            }

            var status = (int)response.StatusCode;
            var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (status >= 500 && retryServerErrors);
            if (!retryable || last)
            {
                return response;
            }

            var retryAfter = RetryAfter(response);
            if (retryAfter > _options.MaxRetryAfter)
            {
                return response;
            }

            response.Dispose();
            ClientTelemetry.Retries.Add(1);
            await _delay(retryAfter ?? Backoff(attempt), ct).ConfigureAwait(false);
        }
    }

    /// <summary>The server's <c>Retry-After</c> (delta seconds or an HTTP date), never negative.</summary>
    public TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>Exponential back-off with jitter in [50 %, 100 %] of the step, capped.</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var step = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(step, _options.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>Reads a body up to <paramref name="maxBytes"/>; longer bodies are cut (they are only ever diagnostics or refused).</summary>
    public static async Task<(byte[] Body, bool Truncated)> ReadBodyAsync(HttpResponseMessage response, int maxBytes, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new byte[maxBytes + 1];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total > maxBytes ? (buffer[..maxBytes], true) : (buffer[..total], false);
    }

    /// <summary>Makes server-supplied text safe to show: no control characters, bounded length.</summary>
    public static string Sanitize(string? text, int maxLength = 512)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (var c in text)
        {
            if (sb.Length >= maxLength)
            {
                sb.Append('…');
                break;
            }

            sb.Append(char.IsControl(c) ? ' ' : c);
        }

        return sb.ToString();
    }

    /// <summary>The URL without its query (a GitHub token request URL carries no secret, but keep logs short and safe).</summary>
    public static string Redact(Uri uri) => uri.GetLeftPart(UriPartial.Path);
}
