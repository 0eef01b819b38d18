namespace WorkloadFederation.Contracts.Environment;

/// <summary>Environment variables read by client tools, in API.md's priority order.</summary>
public static class EnvironmentVariables
{
    public const string AccessToken = "CONDUCTORONE_ACCESS_TOKEN";
    public const string OidcToken = "CONDUCTORONE_OIDC_TOKEN";
    public const string ClientId = "CONDUCTORONE_CLIENT_ID";
    public const string ClientSecret = "CONDUCTORONE_CLIENT_SECRET";
    public const string TenantDomain = "CONDUCTORONE_TENANT_DOMAIN";
    public const string ServerUrl = "CONDUCTORONE_SERVER_URL";

    /// <summary>HCP Terraform workload identity tokens, most specific first.</summary>
    public static IReadOnlyList<string> TerraformTokens { get; } =
    [
        "TFC_WORKLOAD_IDENTITY_TOKEN_CONDUCTORONE",
        "TFC_WORKLOAD_IDENTITY_TOKEN_C1",
        "TFC_WORKLOAD_IDENTITY_TOKEN",
    ];

    public const string GitHubTokenRequestUrl = "ACTIONS_ID_TOKEN_REQUEST_URL";
    public const string GitHubTokenRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
}
