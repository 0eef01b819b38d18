using System.Text.Json;
using WorkloadFederation.Cli.Tests.Support;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Contracts.OAuth;
using Xunit;
using Env = WorkloadFederation.Contracts.Environment.EnvironmentVariables;

namespace WorkloadFederation.Cli.Tests.Commands;

/// <summary><c>wif token</c> run as a process: output and exit codes.</summary>
public sealed class TokenCommandTests
{
    private static readonly string AccessJwt = TestJwt.Create(new Dictionary<string, object>
    {
        ["iss"] = "http://127.0.0.1",
        ["sub"] = "sp_123",
        ["tenant"] = "acme.example.com",
        ["roles"] = new[] { "Read-Only Administrator" },
        ["amr"] = new[] { "client_credentials" },
        ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
    }, new { alg = "ES256", typ = "JWT", kid = "node-1" });

    [Fact]
    public async Task Wif_NoCommand_IsAUsageErrorWithExit2()
    {
        var r = await CliProcess.WifAsync(null);

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("wif --help", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wif_Help_NamesTheProgramWif()
    {
        var r = await CliProcess.WifAsync(null, "--help");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"Usage:\s+wif \[command\]", r.StdOut);
        Assert.DoesNotContain("WorkloadFederation.Cli", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wif_UnknownOption_IsAUsageErrorWithExit2()
    {
        var r = await CliProcess.WifAsync(null, "token", "--no-such-flag");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("--no-such-flag", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_NoCredentials_Exit3NamingTheVariables()
    {
        var r = await CliProcess.WifAsync(null, "token");

        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains("no credentials found: set CONDUCTORONE_ACCESS_TOKEN", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, r.StdOut);
    }

    [Fact]
    public async Task Token_OidcTokenWithoutClientId_Exit3WithThePreciseMessage()
    {
        var r = await CliProcess.WifAsync(new Dictionary<string, string> { [Env.OidcToken] = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)) }, "token");

        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains("CONDUCTORONE_OIDC_TOKEN is set but CONDUCTORONE_CLIENT_ID is not", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ReadyAccessToken_IsPrintedAsIs()
    {
        var r = await CliProcess.WifAsync(new Dictionary<string, string> { [Env.AccessToken] = AccessJwt }, "token");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(AccessJwt + Environment.NewLine, r.StdOut);
    }

    [Fact]
    public async Task Token_ClientSecret_PrintsTheIssuedTokenAndNeverTheSecret()
    {
        var (secret, _) = TestSecrets.Create();
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token(AccessJwt, 3600)));

        var r = await CliProcess.WifAsync(SecretEnv(node, secret), "token");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(AccessJwt, r.StdOut.Trim());
        Assert.DoesNotContain(secret.Split(':')[^1], r.StdOut + r.StdErr, StringComparison.Ordinal);
        var form = Assert.Single(node.Requests).Form;
        Assert.Equal(GrantTypes.ClientCredentials, form[OAuthParameters.GrantType]);
        Assert.Equal(ClientAssertionTypes.JwtBearer, form[OAuthParameters.ClientAssertionType]);
    }

    [Fact]
    public async Task Token_Json_PrintsTheWholeResponse()
    {
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token(AccessJwt, 3600)));

        var r = await CliProcess.WifAsync(SecretEnv(node, TestSecrets.Create().Secret), "token", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal(AccessJwt, doc.RootElement.GetProperty("access_token").GetString());
        Assert.Equal("Bearer", doc.RootElement.GetProperty("token_type").GetString());
        Assert.Equal(3600, doc.RootElement.GetProperty("expires_in").GetInt32());
    }

    [Fact]
    public async Task Token_DecodeJson_ShowsHeaderAndClaimsButNotTheToken()
    {
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token(AccessJwt, 3600)));

        var r = await CliProcess.WifAsync(SecretEnv(node, TestSecrets.Create().Secret), "token", "--decode", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain(AccessJwt, r.StdOut, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal("ES256", doc.RootElement.GetProperty("header").GetProperty("alg").GetString());
        Assert.Equal("sp_123", doc.RootElement.GetProperty("claims").GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Token_Decode_ShowsAReadableSummary()
    {
        var r = await CliProcess.WifAsync(new Dictionary<string, string> { [Env.AccessToken] = AccessJwt }, "token", "--decode");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("subject", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("sp_123", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("Read-Only Administrator", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ServerRefuses_Exit4WithTheServersError()
    {
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.OAuthError(400, OAuthErrors.InvalidGrant, "condition not satisfied")));
        var env = new Dictionary<string, string>
        {
            [Env.OidcToken] = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
            [Env.ClientId] = TestSecrets.TrustClientId,
            [Env.ServerUrl] = node.BaseUrl.ToString(),
        };

        var r = await CliProcess.WifAsync(env, "token");

        Assert.True(r.ExitCode == 4, r.ToString());
        Assert.Contains("invalid_grant: condition not satisfied", r.StdErr, StringComparison.Ordinal);
        Assert.Single(node.Requests);
        Assert.Equal(string.Empty, r.StdOut);
    }

    [Fact]
    public async Task Token_RateLimitedThroughout_Exit6AfterBoundedRetries()
    {
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(new StandInResponse(429, """{"error":"temporarily_unavailable","error_description":"rate limited"}""", new Dictionary<string, string> { ["Retry-After"] = "0" })));

        var r = await CliProcess.WifAsync(SecretEnv(node, TestSecrets.Create().Secret), "token");

        Assert.True(r.ExitCode == 6, r.ToString());
        Assert.Equal(4, node.Requests.Count);
        Assert.Contains("rate limited", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ServerUnreachable_Exit6()
    {
        var env = SecretEnvAt($"http://127.0.0.1:{TestSupport.FreePort.Next()}", TestSecrets.Create().Secret);

        var r = await CliProcess.WifAsync(env, "token");

        Assert.True(r.ExitCode == 6, r.ToString());
        Assert.Contains("/auth/v1/token", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_CredentialsFile_IsUsedAndOverridesTheEnvironment()
    {
        var (secret, _) = TestSecrets.Create();
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token(AccessJwt, 3600)));
        var file = Path.Combine(Path.GetTempPath(), $"wif-creds-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new Dictionary<string, string> { ["tenant"] = TestSecrets.Tenant, ["client_id"] = TestSecrets.CredentialClientId, ["client_secret"] = secret }));
        try
        {
            var env = new Dictionary<string, string> { [Env.AccessToken] = "should-not-be-used", [Env.ServerUrl] = node.BaseUrl.ToString() };

            var r = await CliProcess.WifAsync(env, "token", "--credentials-file", file);

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(AccessJwt, r.StdOut.Trim());
            Assert.Equal(TestSecrets.CredentialClientId, Assert.Single(node.Requests).Form[OAuthParameters.ClientId]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Token_MalformedCredentialsFile_Exit3WithoutEchoingIt()
    {
        var file = Path.Combine(Path.GetTempPath(), $"wif-creds-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{\"client_id\": 5, \"client_secret\": \"secret-token:SHOULD-NOT-APPEAR\"}");
        try
        {
            var r = await CliProcess.WifAsync(null, "token", "--credentials-file", file);

            Assert.True(r.ExitCode == 3, r.ToString());
            Assert.Contains("--credentials-file", r.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("SHOULD-NOT-APPEAR", r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static Dictionary<string, string> SecretEnv(StandInServer node, string secret) => SecretEnvAt(node.BaseUrl.ToString(), secret);

    internal static Dictionary<string, string> SecretEnvAt(string server, string secret) => new()
    {
        [Env.ClientId] = TestSecrets.CredentialClientId,
        [Env.ClientSecret] = secret,
        [Env.ServerUrl] = server,
    };
}
