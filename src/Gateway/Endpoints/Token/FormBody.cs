using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Endpoints.Token;

/// <summary>
/// A parsed <c>application/x-www-form-urlencoded</c> body (RFC 6749 §3.2, §4.4.2) or the OAuth error that refused it.
/// Starts failed; <see cref="Ok"/> is the success factory.
/// </summary>
public sealed class FormBody
{
    private readonly Dictionary<string, string>? _fields;

    private FormBody(Dictionary<string, string>? fields, OAuthErrorResponse? error, int status)
    {
        _fields = fields;
        Error = error;
        Status = status;
    }

    /// <summary>The refusal, or null on success.</summary>
    public OAuthErrorResponse? Error { get; }

    /// <summary>HTTP status of the refusal: 400, or 413 for a body over the size limit.</summary>
    public int Status { get; }

    /// <summary>True when the body was parsed.</summary>
    public bool Succeeded => Error is null;

    /// <summary>A field's value, or null when absent.</summary>
    public string? this[string name] => _fields is not null && _fields.TryGetValue(name, out var v) ? v : null;

    /// <summary>A parsed body.</summary>
    public static FormBody Ok(Dictionary<string, string> fields) => new(fields, null, StatusCodes.Status200OK);

    /// <summary>A refusal as an OAuth <c>invalid_request</c>.</summary>
    public static FormBody Fail(string description, int status = StatusCodes.Status400BadRequest) =>
        new(null, new OAuthErrorResponse(OAuthErrors.InvalidRequest, description), status);

    /// <summary>Reads and parses the request body under the configured limits.</summary>
    public static async Task<FormBody> ReadAsync(HttpRequest request, RequestLimitOptions limits, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("the request body must be application/x-www-form-urlencoded", StatusCodes.Status400BadRequest);
        }

        if (request.ContentLength is { } length && length > limits.MaxFormBodyBytes)
        {
            return Fail($"the request body exceeds {limits.MaxFormBodyBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        byte[]? bytes;
        try
        {
            bytes = await JsonBodyReader.ReadBoundedAsync(request.Body, limits.MaxFormBodyBytes, cancellationToken);
        }
        catch (BadHttpRequestException unreadable) when (unreadable.StatusCode != StatusCodes.Status413PayloadTooLarge)
        {
            // RFC 6749 §5.2: a request the server cannot read is the client's invalid_request.
            return Fail("the request body could not be read: its chunked transfer coding is malformed");
        }
        catch (BadHttpRequestException)
        {
            bytes = null;
        }

        if (bytes is null)
        {
            return Fail($"the request body exceeds {limits.MaxFormBodyBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        return Parse(bytes, limits);
    }

    /// <summary>Parses form bytes (pure; property-tested).</summary>
    public static FormBody Parse(ReadOnlySpan<byte> bytes, RequestLimitOptions limits)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Fail("the request body is not valid UTF-8");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Length == 0)
        {
            return Ok(fields);
        }

        var count = 0;
        foreach (var pair in text.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            if (++count > limits.MaxFormFields)
            {
                return Fail($"the form has more than {limits.MaxFormFields} fields");
            }

            var eq = pair.IndexOf('=');
            var rawName = eq < 0 ? pair : pair[..eq];
            var rawValue = eq < 0 ? string.Empty : pair[(eq + 1)..];
            if (rawName.Length > 64 * 3)
            {
                return Fail("a form field name exceeds 64 characters");
            }

            if (rawValue.Length > limits.MaxFormFieldLength * 3)
            {
                return Fail($"a form field exceeds {limits.MaxFormFieldLength} characters");
            }

            var name = Decode(rawName);
            var value = Decode(rawValue);
            if (name.Length is 0 or > 64)
            {
                return Fail("a form field name is empty or exceeds 64 characters");
            }

            if (value.Length > limits.MaxFormFieldLength)
            {
                // The name is one of ours or attacker text: name it only when it is a known parameter.
                var which = IsKnown(name) ? $"'{name}'" : "a form field";
                return Fail($"{which} exceeds {limits.MaxFormFieldLength} characters");
            }

            // RFC 6749 §3.2: request parameters must not be included more than once.
            if (!fields.TryAdd(name, value))
            {
                var which = IsKnown(name) ? $"'{name}'" : "a form field";
                return Fail($"{which} is repeated");
            }
        }

        return Ok(fields);
    }

    /// <summary>True for the parameter names of <see cref="OAuthParameters"/>.</summary>
    public static bool IsKnown(string name) => name is OAuthParameters.GrantType or OAuthParameters.ClientId
        or OAuthParameters.ClientSecret or OAuthParameters.ClientAssertion or OAuthParameters.ClientAssertionType
        or OAuthParameters.SubjectToken or OAuthParameters.SubjectTokenType or OAuthParameters.RequestedTokenType
        or OAuthParameters.Audience or OAuthParameters.Scope or OAuthParameters.Token or OAuthParameters.TokenTypeHint;

    private static string Decode(string raw)
    {
        var plus = raw.Replace('+', ' ');
        return plus.Contains('%') ? Uri.UnescapeDataString(plus) : plus;
    }
}
