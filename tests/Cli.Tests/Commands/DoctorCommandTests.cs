using WorkloadFederation.Cli.Tests.Support;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Contracts.OAuth;
using Xunit;
using Env = WorkloadFederation.Contracts.Environment.EnvironmentVariables;

namespace WorkloadFederation.Cli.Tests.Commands;

/// <summary><c>wif doctor</c> run as a process against a stand-in GitHub endpoint and token endpoint.</summary>
public sealed class DoctorCommandTests
{
    [Fact]
    public async Task Doctor_GitHubActions_ExplainsEachStepAndAsksTheServer()
    {
        var access = TestJwt.Create(new Dictionary<string, object> { ["sub"] = "sp_ci", ["roles"] = new[] { "Basic User" }, ["amr"] = new[] { "federation" }, ["exp"] = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds() });
        string? platformToken = null;
        await using var node = await StandInServer.StartAsync(r =>
        {
            if (r.Path == "/gh")
            {
                platformToken = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
                return Task.FromResult(new StandInResponse(200, $$"""{"value":"{{platformToken}}"}"""));
            }

            return Task.FromResult(StandInResponse.Token(access, 1800));
        });
        var env = new Dictionary<string, string>
        {
            [Env.ClientId] = TestSecrets.TrustClientId,
            [Env.ServerUrl] = node.BaseUrl.ToString(),
            [Env.GitHubTokenRequestUrl] = new Uri(node.BaseUrl, "gh?api-version=2.0").ToString(),
            [Env.GitHubTokenRequestToken] = "gh-request-secret",
        };

        var r = await CliProcess.WifAsync(env, "doctor");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ACTIONS_ID_TOKEN_REQUEST_URL", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("GitHub Actions", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("https://token.actions.githubusercontent.com", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("acme/app", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("the audience contains the tenant domain acme.example.com", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("the server issued an access token valid for 1800 s", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("sp_ci", r.StdOut, StringComparison.Ordinal);
        var all = r.StdOut + r.StdErr;
        Assert.DoesNotContain("gh-request-secret", all, StringComparison.Ordinal);
        Assert.DoesNotContain(access, all, StringComparison.Ordinal);
        Assert.NotNull(platformToken);
        Assert.DoesNotContain(platformToken!, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ExpiredOidcToken_Exit1SayingWhyBeforeAskingTheServer()
    {
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token("x", 60)));
        var env = new Dictionary<string, string>
        {
            [Env.ClientId] = TestSecrets.TrustClientId,
            [Env.ServerUrl] = node.BaseUrl.ToString(),
            [Env.OidcToken] = TestJwt.Platform(DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.FromMinutes(5)),
        };

        var r = await CliProcess.WifAsync(env, "doctor");

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("expired", r.StdOut, StringComparison.Ordinal);
        Assert.Empty(node.Requests);
    }

    [Fact]
    public async Task Doctor_AudienceMismatchOffline_WarnsAndDoesNotCallTheServer()
    {
        var env = new Dictionary<string, string>
        {
            [Env.ClientId] = TestSecrets.TrustClientId,
            [Env.OidcToken] = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), audience: "sts.amazonaws.com"),
        };

        var r = await CliProcess.WifAsync(env, "doctor", "--offline");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("audience_mismatch", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("skipped (--offline)", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ServerRefuses_Exit1WithTheErrorAndAHint()
    {
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.OAuthError(400, OAuthErrors.InvalidGrant, "condition not satisfied")));
        var env = new Dictionary<string, string>
        {
            [Env.ClientId] = TestSecrets.TrustClientId,
            [Env.ServerUrl] = node.BaseUrl.ToString(),
            ["TFC_WORKLOAD_IDENTITY_TOKEN"] = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
        };

        var r = await CliProcess.WifAsync(env, "doctor");

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("TFC_WORKLOAD_IDENTITY_TOKEN", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("invalid_grant: condition not satisfied", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("wif cel eval", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_NoCredentials_Exit1ListingEveryVariable()
    {
        var r = await CliProcess.WifAsync(null, "doctor");

        Assert.True(r.ExitCode == 1, r.ToString());
        foreach (var name in new[] { Env.AccessToken, Env.OidcToken, Env.ClientId, Env.ClientSecret, Env.TenantDomain, Env.ServerUrl, "TFC_WORKLOAD_IDENTITY_TOKEN_C1", Env.GitHubTokenRequestUrl })
        {
            Assert.Contains(name, r.StdOut, StringComparison.Ordinal);
        }

        Assert.Contains("no credentials found", r.StdOut, StringComparison.Ordinal);
    }
}
