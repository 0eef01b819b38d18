using WorkloadFederation.Client.Configuration;
using WorkloadFederation.Client.Tests.Support;
using Xunit;
using Env = WorkloadFederation.Contracts.Environment.EnvironmentVariables;

namespace WorkloadFederation.Client.Tests.Configuration;

/// <summary>The credential chain of API.md: priority, explicit overrides, and errors that name the variable.</summary>
public sealed class CredentialChainTests
{
    private const string TfcTagged = "TFC_WORKLOAD_IDENTITY_TOKEN_CONDUCTORONE";
    private const string TfcC1 = "TFC_WORKLOAD_IDENTITY_TOKEN_C1";
    private const string TfcPlain = "TFC_WORKLOAD_IDENTITY_TOKEN";
    private static readonly string Jwt = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
    private static readonly string Secret = TestSecrets.Create().Secret;
    private static readonly string OtherTenantSecret = TestSecrets.Create("other.example.com").Secret;

    /// <summary>A named case: variables set, and either the chosen kind and source or the error's setting and text.</summary>
    public sealed record Case(
        string Name,
        Dictionary<string, string> Variables,
        CredentialKind? Kind = null,
        string? Source = null,
        string? ErrorSetting = null,
        string? ErrorText = null,
        WifClientOptions? Options = null)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() => new()
    {
        new("nothing set", new(), ErrorText: "no credentials found"),
        new("access token alone", new() { [Env.AccessToken] = "opaque-token" }, CredentialKind.AccessToken, Env.AccessToken),
        new("access token wins over every other credential", new()
        {
            [Env.AccessToken] = "opaque-token", [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId,
            [Env.ClientSecret] = Secret, [TfcPlain] = Jwt, [Env.GitHubTokenRequestUrl] = "https://gh.example/t", [Env.GitHubTokenRequestToken] = "r",
        }, CredentialKind.AccessToken, Env.AccessToken),
        new("access token with a space is malformed", new() { [Env.AccessToken] = "two words" }, ErrorSetting: Env.AccessToken, ErrorText: "CONDUCTORONE_ACCESS_TOKEN is malformed"),
        new("oidc token without client id", new() { [Env.OidcToken] = Jwt }, ErrorSetting: Env.ClientId, ErrorText: "CONDUCTORONE_OIDC_TOKEN is set but CONDUCTORONE_CLIENT_ID is not"),
        new("oidc token with a trust's client id", new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId }, CredentialKind.OidcToken, Env.OidcToken),
        new("oidc token with a credential's client id", new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.CredentialClientId }, ErrorSetting: Env.ClientId, ErrorText: "is a client credential's id"),
        new("oidc token wins over a secret", new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId, [Env.ClientSecret] = Secret }, CredentialKind.OidcToken, Env.OidcToken),
        new("oidc token wins over platform tokens", new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId, [TfcPlain] = Jwt, [Env.GitHubTokenRequestUrl] = "https://gh.example/t", [Env.GitHubTokenRequestToken] = "r" }, CredentialKind.OidcToken, Env.OidcToken),
        new("oidc token that is not a JWT", new() { [Env.OidcToken] = "not-a-jwt", [Env.ClientId] = TestSecrets.TrustClientId }, ErrorSetting: Env.OidcToken, ErrorText: "CONDUCTORONE_OIDC_TOKEN is not a JWT"),
        new("secret without client id", new() { [Env.ClientSecret] = Secret }, ErrorSetting: Env.ClientId, ErrorText: "CONDUCTORONE_CLIENT_SECRET is set but CONDUCTORONE_CLIENT_ID is not"),
        new("secret with a credential's client id", new() { [Env.ClientSecret] = Secret, [Env.ClientId] = TestSecrets.CredentialClientId }, CredentialKind.ClientSecret, Env.ClientSecret),
        new("secret with a trust's client id", new() { [Env.ClientSecret] = Secret, [Env.ClientId] = TestSecrets.TrustClientId }, ErrorSetting: Env.ClientId, ErrorText: "is a trust's client id"),
        new("secret wins over platform tokens", new() { [Env.ClientSecret] = Secret, [Env.ClientId] = TestSecrets.CredentialClientId, [TfcPlain] = Jwt }, CredentialKind.ClientSecret, Env.ClientSecret),
        new("malformed secret", new() { [Env.ClientSecret] = "secret-token:acme.example.com:v1:!!", [Env.ClientId] = TestSecrets.CredentialClientId }, ErrorSetting: Env.ClientSecret, ErrorText: "CONDUCTORONE_CLIENT_SECRET is malformed"),
        new("secret of another tenant", new() { [Env.ClientSecret] = OtherTenantSecret, [Env.ClientId] = TestSecrets.CredentialClientId }, ErrorSetting: Env.ClientSecret, ErrorText: "belongs to tenant 'other.example.com'"),
        new("credential's client id without secret", new() { [Env.ClientId] = TestSecrets.CredentialClientId }, ErrorSetting: Env.ClientSecret, ErrorText: "CONDUCTORONE_CLIENT_SECRET is not set"),
        new("malformed client id", new() { [Env.ClientId] = "acme.example.com", [Env.OidcToken] = Jwt }, ErrorSetting: Env.ClientId, ErrorText: "CONDUCTORONE_CLIENT_ID is malformed"),
        new("trust's client id without any platform token", new() { [Env.ClientId] = TestSecrets.TrustClientId }, ErrorSetting: Env.OidcToken, ErrorText: "no platform token was found"),
        new("terraform tagged token wins over C1 and plain", new() { [Env.ClientId] = TestSecrets.TrustClientId, [TfcTagged] = Jwt, [TfcC1] = Jwt, [TfcPlain] = Jwt }, CredentialKind.HcpTerraform, TfcTagged),
        new("terraform C1 token wins over plain", new() { [Env.ClientId] = TestSecrets.TrustClientId, [TfcC1] = Jwt, [TfcPlain] = Jwt }, CredentialKind.HcpTerraform, TfcC1),
        new("terraform plain token", new() { [Env.ClientId] = TestSecrets.TrustClientId, [TfcPlain] = Jwt }, CredentialKind.HcpTerraform, TfcPlain),
        new("terraform wins over github", new() { [Env.ClientId] = TestSecrets.TrustClientId, [TfcPlain] = Jwt, [Env.GitHubTokenRequestUrl] = "https://gh.example/t", [Env.GitHubTokenRequestToken] = "r" }, CredentialKind.HcpTerraform, TfcPlain),
        new("terraform token that is not a JWT", new() { [Env.ClientId] = TestSecrets.TrustClientId, [TfcPlain] = "abc" }, ErrorSetting: TfcPlain, ErrorText: "TFC_WORKLOAD_IDENTITY_TOKEN is not a JWT"),
        new("github actions request url and token", new() { [Env.ClientId] = TestSecrets.TrustClientId, [Env.GitHubTokenRequestUrl] = "https://gh.example/t?api-version=2.0", [Env.GitHubTokenRequestToken] = "r" }, CredentialKind.GitHubActions, Env.GitHubTokenRequestUrl),
        new("github request url without its token", new() { [Env.ClientId] = TestSecrets.TrustClientId, [Env.GitHubTokenRequestUrl] = "https://gh.example/t" }, ErrorSetting: Env.GitHubTokenRequestToken, ErrorText: "ACTIONS_ID_TOKEN_REQUEST_URL is set but ACTIONS_ID_TOKEN_REQUEST_TOKEN is not"),
        new("github request token without its url", new() { [Env.ClientId] = TestSecrets.TrustClientId, [Env.GitHubTokenRequestToken] = "r" }, ErrorSetting: Env.GitHubTokenRequestUrl, ErrorText: "ACTIONS_ID_TOKEN_REQUEST_TOKEN is set but ACTIONS_ID_TOKEN_REQUEST_URL is not"),
        new("github request url over plain http", new() { [Env.ClientId] = TestSecrets.TrustClientId, [Env.GitHubTokenRequestUrl] = "http://gh.example/t", [Env.GitHubTokenRequestToken] = "r" }, ErrorSetting: Env.GitHubTokenRequestUrl, ErrorText: "ACTIONS_ID_TOKEN_REQUEST_URL is malformed"),
        new("platform token without client id", new() { [TfcPlain] = Jwt }, ErrorSetting: Env.ClientId, ErrorText: "TFC_WORKLOAD_IDENTITY_TOKEN is set (a CI platform token) but CONDUCTORONE_CLIENT_ID is not"),
        new("github variables without client id", new() { [Env.GitHubTokenRequestUrl] = "https://gh.example/t", [Env.GitHubTokenRequestToken] = "r" }, ErrorSetting: Env.ClientId, ErrorText: "ACTIONS_ID_TOKEN_REQUEST_URL is set (a CI platform token) but CONDUCTORONE_CLIENT_ID is not"),
        new("empty access token counts as unset", new() { [Env.AccessToken] = "  ", [Env.ClientSecret] = Secret, [Env.ClientId] = TestSecrets.CredentialClientId }, CredentialKind.ClientSecret, Env.ClientSecret),
        new("malformed tenant domain", new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId, [Env.TenantDomain] = "https://acme.example.com" }, ErrorSetting: Env.TenantDomain, ErrorText: "CONDUCTORONE_TENANT_DOMAIN is malformed"),
        new("server url over http to a remote host", new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId, [Env.ServerUrl] = "http://acme.example.com" }, ErrorSetting: Env.ServerUrl, ErrorText: "CONDUCTORONE_SERVER_URL uses http://"),
        new("server url with a query", new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId, [Env.ServerUrl] = "https://acme.example.com/?x=1" }, ErrorSetting: Env.ServerUrl, ErrorText: "CONDUCTORONE_SERVER_URL is malformed"),
        new("explicit secret turns off the environment's access token", new() { [Env.AccessToken] = "opaque-token" }, CredentialKind.ClientSecret, "the ClientSecret option",
            Options: new WifClientOptions { ClientSecret = Secret, ClientId = TestSecrets.CredentialClientId }),
        new("explicit client id overrides the variable", new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.CredentialClientId }, CredentialKind.OidcToken, Env.OidcToken,
            Options: new WifClientOptions { ClientId = TestSecrets.TrustClientId }),
        new("explicit oidc token without client id names the variable", new(), ErrorSetting: Env.ClientId, ErrorText: "the OidcToken option is set but CONDUCTORONE_CLIENT_ID is not",
            Options: new WifClientOptions { OidcToken = Jwt }),
        new("explicit malformed client id names the option", new() { [Env.OidcToken] = Jwt }, ErrorSetting: "--client-id", ErrorText: "--client-id is malformed",
            Options: new WifClientOptions { ClientId = "nope", DescribeOption = n => n == "ClientId" ? "--client-id" : n }),
        new("environment off reads no variable", new() { [Env.AccessToken] = "opaque-token" }, ErrorText: "no credentials found",
            Options: new WifClientOptions { ReadEnvironment = false }),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resolve_NamedCase_ChoosesCredentialOrNamesTheVariable(Case c)
    {
        var result = Resolve(c.Variables, c.Options);

        if (c.Kind is { } kind)
        {
            Assert.True(result.Success, result.ErrorMessage);
            Assert.Equal(kind, result.Credentials!.Kind);
            Assert.Equal(c.Source, result.Credentials.CredentialSource);
        }
        else
        {
            Assert.False(result.Success, $"expected an error, got {result.Credentials}");
            Assert.Contains(c.ErrorText!, result.ErrorMessage, StringComparison.Ordinal);
            Assert.Equal(c.ErrorSetting, result.ErrorSetting);
        }
    }

    /// <summary>
    /// Every combination of the credential variables (access token, OIDC token, client id of a trust / of a
    /// credential / none, secret, HCP Terraform token, GitHub request variables): 96 cases, each compared with
    /// API.md's priority list written out as a plain decision list.
    /// </summary>
    [Fact]
    public void Resolve_EveryCombinationOfVariables_FollowsApiPriority()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var access in new[] { false, true })
        foreach (var oidc in new[] { false, true })
        foreach (var clientId in new[] { "none", "trust", "credential" })
        foreach (var secret in new[] { false, true })
        foreach (var tfc in new[] { false, true })
        foreach (var gh in new[] { false, true })
        {
            count++;
            var vars = new Dictionary<string, string>();
            if (access) vars[Env.AccessToken] = "opaque-token";
            if (oidc) vars[Env.OidcToken] = Jwt;
            if (clientId == "trust") vars[Env.ClientId] = TestSecrets.TrustClientId;
            if (clientId == "credential") vars[Env.ClientId] = TestSecrets.CredentialClientId;
            if (secret) vars[Env.ClientSecret] = Secret;
            if (tfc) vars[TfcPlain] = Jwt;
            if (gh)
            {
                vars[Env.GitHubTokenRequestUrl] = "https://gh.example/t";
                vars[Env.GitHubTokenRequestToken] = "r";
            }

            // API.md: access token; then OIDC token + client id; then client id + secret; then platform tokens.
            (CredentialKind? Kind, string? ErrorSetting) expected =
                access ? (CredentialKind.AccessToken, null)
                : oidc ? (clientId == "trust" ? (CredentialKind.OidcToken, null) : (null, Env.ClientId))
                : secret ? (clientId == "credential" ? (CredentialKind.ClientSecret, null) : (null, Env.ClientId))
                : clientId == "trust" ? (tfc ? (CredentialKind.HcpTerraform, null) : gh ? (CredentialKind.GitHubActions, null) : (null, Env.OidcToken))
                : clientId == "credential" ? (null, Env.ClientSecret)
                : (tfc || gh) ? (null, Env.ClientId) : (null, null);

            var result = Resolve(vars);
            var name = $"access={access} oidc={oidc} client_id={clientId} secret={secret} tfc={tfc} github={gh}";
            if (result.Success != expected.Kind.HasValue
                || (result.Success && result.Credentials!.Kind != expected.Kind)
                || (!result.Success && result.ErrorSetting != expected.ErrorSetting))
            {
                failures.Add($"{name}: expected {expected.Kind?.ToString() ?? "error naming " + (expected.ErrorSetting ?? "nothing")}, got {(result.Success ? result.Credentials!.Kind.ToString() : "error: " + result.ErrorMessage)}");
            }
        }

        Assert.Equal(96, count);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Resolve_ClientIdOnly_DerivesTenantAndHttpsServerUrl()
    {
        var result = Resolve(new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId }).GetOrThrow();

        Assert.Equal("acme.example.com", result.TenantDomain);
        Assert.Equal(new Uri("https://acme.example.com/"), result.ServerUrl);
        Assert.Equal("acme.example.com", result.PlatformAudience);
    }

    [Fact]
    public void Resolve_TenantOverride_ChangesTenantServerAndPlatformAudience()
    {
        var result = Resolve(new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId, [Env.TenantDomain] = "login.acme.example.com" }).GetOrThrow();

        Assert.Equal("login.acme.example.com", result.TenantDomain);
        Assert.Equal(Env.TenantDomain, result.TenantDomainSource);
        Assert.Equal(new Uri("https://login.acme.example.com/"), result.ServerUrl);
        Assert.Equal("login.acme.example.com", result.PlatformAudience);
    }

    [Fact]
    public void Resolve_ServerUrlOverride_KeepsBasePathAndAllowsLoopbackHttp()
    {
        var result = Resolve(new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId, [Env.ServerUrl] = "http://127.0.0.1:5080/wif" }).GetOrThrow();

        Assert.Equal(new Uri("http://127.0.0.1:5080/wif/"), result.ServerUrl);
        Assert.Equal("acme.example.com", result.TenantDomain);
    }

    [Fact]
    public void Resolve_AccessTokenWithoutLocation_UsesTheTokensTenantClaim()
    {
        var token = TestJwt.Create(new { tenant = "beta.example.com", exp = 4102444800 });
        var result = Resolve(new() { [Env.AccessToken] = token }).GetOrThrow();

        Assert.Equal(new Uri("https://beta.example.com/"), result.ServerUrl);
    }

    [Fact]
    public void Resolve_OpaqueAccessTokenWithoutLocation_SucceedsButNamesWhatTheServerNeeds()
    {
        var result = Resolve(new() { [Env.AccessToken] = "opaque" }).GetOrThrow();

        Assert.Null(result.ServerUrl);
        var error = Assert.Throws<Errors.WifConfigurationException>(() => result.RequireServerUrl());
        Assert.Contains("set CONDUCTORONE_SERVER_URL or CONDUCTORONE_TENANT_DOMAIN", error.Message, StringComparison.Ordinal);
    }

    public sealed record AccessTokenLocationCase(string Name, Dictionary<string, string> Extra, string? ServerUrl, string? ProblemText)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<AccessTokenLocationCase> AccessTokenLocations() => new()
    {
        new("malformed server url is reported only when the server is needed", new() { [Env.ServerUrl] = "ftp://x" }, null, "CONDUCTORONE_SERVER_URL is malformed"),
        new("malformed tenant domain is reported only when the server is needed", new() { [Env.TenantDomain] = "Not A Domain" }, null, "CONDUCTORONE_TENANT_DOMAIN is malformed"),
        new("malformed client id is not read", new() { [Env.ClientId] = "garbage" }, null, "the server is unknown"),
        new("server url wins", new() { [Env.ServerUrl] = "https://node.example.com", [Env.TenantDomain] = "acme.example.com" }, "https://node.example.com/", null),
        new("tenant domain names the server", new() { [Env.TenantDomain] = "acme.example.com", [Env.ClientId] = "swift-otter-19384@other.example.com/wfe" }, "https://acme.example.com/", null),
        new("client id's domain names the server", new() { [Env.ClientId] = TestSecrets.TrustClientId }, "https://acme.example.com/", null),
    };

    [Theory]
    [MemberData(nameof(AccessTokenLocations))]
    public void Resolve_AccessToken_IsUsedAsIsWhateverTheLocationVariablesHold(AccessTokenLocationCase c)
    {
        var vars = new Dictionary<string, string>(c.Extra) { [Env.AccessToken] = "opaque-token" };

        var result = Resolve(vars).GetOrThrow();

        Assert.Equal(CredentialKind.AccessToken, result.Kind);
        Assert.Equal(c.ServerUrl, result.ServerUrl?.ToString());
        if (c.ProblemText is not null)
        {
            var error = Assert.Throws<Errors.WifConfigurationException>(() => result.RequireServerUrl());
            Assert.Contains(c.ProblemText, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Resolve_Report_MarksUsedAndIgnoredVariablesWithoutValues()
    {
        var result = Resolve(new() { [Env.OidcToken] = Jwt, [Env.ClientId] = TestSecrets.TrustClientId, [Env.ClientSecret] = Secret, [TfcC1] = "" });

        var byName = result.Variables.ToDictionary(v => v.Name);
        Assert.True(byName[Env.OidcToken].Used);
        Assert.True(byName[Env.ClientId].Used);
        Assert.False(byName[Env.ClientSecret].Used);
        Assert.StartsWith("ignored", byName[Env.ClientSecret].Note, StringComparison.Ordinal);
        Assert.Equal(VariableState.Empty, byName[TfcC1].State);
        Assert.Equal(VariableState.NotSet, byName[Env.AccessToken].State);
        Assert.DoesNotContain(result.Variables, v => v.Note.Contains(Secret, StringComparison.Ordinal) || v.Note.Contains(Jwt, StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_ErrorMessages_NeverContainSecretValues()
    {
        var result = Resolve(new() { [Env.ClientSecret] = OtherTenantSecret, [Env.ClientId] = TestSecrets.CredentialClientId });

        Assert.False(result.Success);
        Assert.DoesNotContain(OtherTenantSecret.Split(':')[^1], result.ErrorMessage, StringComparison.Ordinal);
    }

    private static CredentialResolution Resolve(Dictionary<string, string> variables, WifClientOptions? options = null) =>
        CredentialResolver.Resolve((options ?? new WifClientOptions()) with { Environment = variables.GetValueOrDefault });
}
