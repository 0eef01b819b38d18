using System.Net;

namespace WorkloadFederation.Client.Errors;

/// <summary>Base class of every error the SDK raises. Messages never contain a token, assertion or secret.</summary>
public abstract class WifException : Exception
{
    private protected WifException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// The client's configuration (environment variables or explicit options) is missing or malformed.
/// <see cref="Setting"/> names the variable or option at fault, e.g. <c>CONDUCTORONE_CLIENT_ID</c>.
/// </summary>
public sealed class WifConfigurationException(string? setting, string message) : WifException(message)
{
    /// <summary>The environment variable or option at fault, when one is.</summary>
    public string? Setting { get; } = setting;
}

/// <summary>The token endpoint refused the request or answered with something that is not a token response.</summary>
public sealed class WifTokenRequestException : WifException
{
    internal WifTokenRequestException(HttpStatusCode statusCode, string? error, string? errorDescription, TimeSpan? retryAfter, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Error = error;
        ErrorDescription = errorDescription;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status code of the final answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The server's RFC 6749 §5.2 <c>error</c> code, when the body carried one.</summary>
    public string? Error { get; }

    /// <summary>The server's <c>error_description</c>, when the body carried one.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The server's <c>Retry-After</c> on a final 429 or 503, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>The admin API answered with an RFC 9457 problem (or another non-success status).</summary>
public sealed class WifApiException : WifException
{
    internal WifApiException(HttpStatusCode statusCode, string? code, string? title, string? detail, string? field, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        Title = title;
        Detail = detail;
        Field = field;
    }

    /// <summary>The HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem's stable machine-readable <c>code</c> member.</summary>
    public string? Code { get; }

    /// <summary>The problem's <c>title</c>.</summary>
    public string? Title { get; }

    /// <summary>The problem's <c>detail</c>.</summary>
    public string? Detail { get; }

    /// <summary>The offending field of a validation problem, when named.</summary>
    public string? Field { get; }
}

/// <summary>The CI platform's OIDC token could not be obtained, or the one given cannot be used (expired, not a JWT).</summary>
public sealed class WifPlatformTokenException(string source, string message, Exception? inner = null) : WifException(message, inner)
{
    /// <summary>Where the platform token came from (a variable name, or the GitHub token request endpoint).</summary>
    public string TokenSource { get; } = source;
}

/// <summary>The server could not be reached (network failure or timeout) after the bounded retries.</summary>
public sealed class WifTransportException(Uri endpoint, string message, Exception? inner = null) : WifException(message, inner)
{
    /// <summary>The URL that could not be reached.</summary>
    public Uri Endpoint { get; } = endpoint;
}
