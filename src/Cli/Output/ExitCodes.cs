namespace WorkloadFederation.Cli.Output;

/// <summary>The exit codes of <c>wif</c>, stable for scripts (documented in src/Cli/README.md).</summary>
internal static class ExitCodes
{
    /// <summary>Success (a condition evaluated to true, a trust test allowed, doctor found no problem).</summary>
    public const int Ok = 0;

    /// <summary>A negative answer: a condition evaluated to false, a trust test denied, doctor found a problem.</summary>
    public const int Negative = 1;

    /// <summary>Bad command line: unknown command or option, missing argument, invalid value.</summary>
    public const int Usage = 2;

    /// <summary>Local configuration or input error: a variable missing or malformed, an unreadable file, no platform token.</summary>
    public const int Configuration = 3;

    /// <summary>Authentication failed: the token endpoint refused with an OAuth error, or the admin API answered 401.</summary>
    public const int AuthenticationFailed = 4;

    /// <summary>The admin API refused the request (400 validation, 403, 404, 409), with its problem code.</summary>
    public const int Refused = 5;

    /// <summary>The server is unreachable or not answering as a node (network error, timeout, 5xx, 429 after the bounded retries, a non-OAuth answer such as 404).</summary>
    public const int Unavailable = 6;

    /// <summary>A CEL expression does not compile, or its evaluation ended in an error.</summary>
    public const int CelError = 7;

    /// <summary>An unexpected internal error (a bug; please report it).</summary>
    public const int Internal = 70;
}
