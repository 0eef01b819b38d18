using WorkloadFederation.Client.Errors;
using WorkloadFederation.Contracts.Identity;

namespace WorkloadFederation.Client.Configuration;

/// <summary>Which credential of API.md's priority list the chain chose.</summary>
public enum CredentialKind
{
    /// <summary><c>CONDUCTORONE_ACCESS_TOKEN</c>: used as is.</summary>
    AccessToken,

    /// <summary><c>CONDUCTORONE_OIDC_TOKEN</c> exchanged with a trust's client id.</summary>
    OidcToken,

    /// <summary><c>CONDUCTORONE_CLIENT_SECRET</c>: a signed client assertion for a credential's client id.</summary>
    ClientSecret,

    /// <summary>HCP Terraform's <c>TFC_WORKLOAD_IDENTITY_TOKEN*</c>, exchanged with a trust's client id.</summary>
    HcpTerraform,

    /// <summary>GitHub Actions' OIDC token request endpoint, asked afresh for each exchange.</summary>
    GitHubActions,
}

/// <summary>How a variable was seen by the chain.</summary>
public enum VariableState
{
    /// <summary>Not present (or not read because the environment is off).</summary>
    NotSet,

    /// <summary>Present but empty or blank: treated as not set.</summary>
    Empty,

    /// <summary>Present with a value.</summary>
    Set,

    /// <summary>Overridden by an explicit option.</summary>
    Overridden,
}

/// <summary>One line of the chain's report: a variable, whether it was set, and what the chain did with it.</summary>
/// <param name="Name">The environment variable.</param>
/// <param name="State">Whether it was found.</param>
/// <param name="Used">True when the chosen credential or location came from it.</param>
/// <param name="Note">Why it was used or ignored (never its value when it holds a secret).</param>
public sealed record VariableReport(string Name, VariableState State, bool Used, string Note);

/// <summary>The credential and server location chosen by <see cref="CredentialResolver"/>.</summary>
public sealed class ResolvedCredentials
{
    internal ResolvedCredentials(CredentialKind kind, string credentialSource)
    {
        Kind = kind;
        CredentialSource = credentialSource;
    }

    /// <summary>The chosen credential.</summary>
    public CredentialKind Kind { get; }

    /// <summary>The variable or option that supplied the credential (e.g. <c>CONDUCTORONE_OIDC_TOKEN</c>).</summary>
    public string CredentialSource { get; }

    /// <summary>The parsed client id, for every kind but a ready access token.</summary>
    public ClientId? ClientId { get; internal init; }

    /// <summary>Where the client id came from.</summary>
    public string? ClientIdSource { get; internal init; }

    /// <summary>The tenant domain (from the override or the client id), when known.</summary>
    public string? TenantDomain { get; internal init; }

    /// <summary>Where the tenant domain came from.</summary>
    public string? TenantDomainSource { get; internal init; }

    /// <summary>The node's base URL, when known.</summary>
    public Uri? ServerUrl { get; internal init; }

    /// <summary>Where the server URL came from.</summary>
    public string? ServerUrlSource { get; internal init; }

    /// <summary>Why the server URL is unknown (only possible with a ready access token).</summary>
    public string? ServerUrlProblem { get; internal init; }

    /// <summary>The audience requested from a platform that issues tokens on request (GitHub Actions).</summary>
    public string? PlatformAudience { get; internal init; }

    /// <summary>Per-variable report of what was found and used.</summary>
    public IReadOnlyList<VariableReport> Variables { get; internal init; } = [];

    internal string? AccessToken { get; init; }

    internal string? StaticPlatformToken { get; init; }

    internal ClientSecret? Secret { get; init; }

    internal Uri? GitHubRequestUrl { get; init; }

    internal string? GitHubRequestToken { get; init; }

    internal Func<string, string?>? ReRead { get; init; }

    /// <summary>The server URL, or a configuration error naming what to set.</summary>
    public Uri RequireServerUrl() =>
        ServerUrl ?? throw new WifConfigurationException(ServerUrlSetting, ServerUrlProblem ?? "the server URL is unknown");

    private string ServerUrlSetting =>
        ServerUrlProblem?.StartsWith(Contracts.Environment.EnvironmentVariables.TenantDomain, StringComparison.Ordinal) == true
            ? Contracts.Environment.EnvironmentVariables.TenantDomain
            : Contracts.Environment.EnvironmentVariables.ServerUrl;

    /// <summary>Never a credential.</summary>
    public override string ToString() => $"{Kind} from {CredentialSource}";
}

/// <summary>The outcome of <see cref="CredentialResolver.Resolve"/>: credentials, or the precise configuration error.</summary>
public sealed class CredentialResolution
{
    private CredentialResolution(ResolvedCredentials? credentials, string? errorSetting, string? errorMessage, IReadOnlyList<VariableReport> variables)
    {
        Credentials = credentials;
        ErrorSetting = errorSetting;
        ErrorMessage = errorMessage;
        Variables = variables;
    }

    /// <summary>True when a credential was chosen.</summary>
    public bool Success => Credentials is not null;

    /// <summary>The chosen credential and location.</summary>
    public ResolvedCredentials? Credentials { get; }

    /// <summary>The variable or option at fault.</summary>
    public string? ErrorSetting { get; }

    /// <summary>What is missing or malformed, naming the variable.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Per-variable report (also on failure, for <c>wif doctor</c>).</summary>
    public IReadOnlyList<VariableReport> Variables { get; }

    /// <summary>The credentials, or the configuration error as an exception.</summary>
    public ResolvedCredentials GetOrThrow() =>
        Credentials ?? throw new WifConfigurationException(ErrorSetting, ErrorMessage!);

    internal static CredentialResolution Succeeded(ResolvedCredentials credentials) =>
        new(credentials, null, null, credentials.Variables);

    internal static CredentialResolution Failed(string? setting, string message, IReadOnlyList<VariableReport> variables) =>
        new(null, setting, message, variables);
}
