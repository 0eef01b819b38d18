using WorkloadFederation.Cli.Tests.Support;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Cli.Tests.Integrations;

/// <summary>The GitLab template's exchange (its before_script), run with sh against a stand-in token endpoint.</summary>
public sealed class GitLabTemplateTests
{
    private static readonly string Template = Path.Combine(RepoPaths.Root, "integrations", "gitlab", "workload-federation.gitlab-ci.yml");

    [Fact]
    public void Template_IdToken_UsesTheTenantDomainAsAudience()
    {
        var text = File.ReadAllText(Template);

        Assert.Contains("id_tokens:\n    CONDUCTORONE_OIDC_TOKEN:\n      aud: $CONDUCTORONE_TENANT_DOMAIN", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeforeScript_ExchangesTheIdTokenAndExportsTheAccessToken()
    {
        var idToken = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), subject: "project_path:acme/app:ref_type:branch:ref:main");
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token("gl-access-token", 1800)));
        // The job's script runs in the same shell afterwards: it must see the token and no `set -u` left behind.
        var script = ExtractBeforeScript() + "\nprintf 'exported=%s unset=[%s]\\n' \"$CONDUCTORONE_ACCESS_TOKEN\" \"$WIF_NEVER_SET\"\n";

        var r = await CliProcess.RunAsync("sh", ["-c", script], new Dictionary<string, string>
        {
            ["CONDUCTORONE_CLIENT_ID"] = TestSecrets.TrustClientId,
            ["CONDUCTORONE_TENANT_DOMAIN"] = TestSecrets.Tenant,
            ["CONDUCTORONE_SERVER_URL"] = node.BaseUrl.ToString(),
            ["CONDUCTORONE_OIDC_TOKEN"] = idToken,
        }, stdin: null);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("exported=gl-access-token unset=[]", r.StdOut, StringComparison.Ordinal);
        var form = Assert.Single(node.Requests).Form;
        Assert.Equal(idToken, form[OAuthParameters.SubjectToken]);
        Assert.Equal(GrantTypes.TokenExchange, form[OAuthParameters.GrantType]);
        Assert.DoesNotContain(idToken, r.StdOut + r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeforeScript_Refused_FailsWithTheServersError()
    {
        await using var node = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.OAuthError(400, OAuthErrors.InvalidGrant, "audience mismatch")));

        var r = await CliProcess.RunAsync("sh", ["-c", ExtractBeforeScript()], new Dictionary<string, string>
        {
            ["CONDUCTORONE_CLIENT_ID"] = TestSecrets.TrustClientId,
            ["CONDUCTORONE_TENANT_DOMAIN"] = TestSecrets.Tenant,
            ["CONDUCTORONE_SERVER_URL"] = node.BaseUrl.ToString(),
            ["CONDUCTORONE_OIDC_TOKEN"] = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
        }, stdin: null);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("invalid_grant: audience mismatch", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeforeScript_WithoutTenantDomain_FailsNamingTheVariable()
    {
        var r = await CliProcess.RunAsync("sh", ["-c", ExtractBeforeScript()], new Dictionary<string, string>
        {
            ["CONDUCTORONE_CLIENT_ID"] = TestSecrets.TrustClientId,
            ["CONDUCTORONE_OIDC_TOKEN"] = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
        }, stdin: null);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("set CONDUCTORONE_TENANT_DOMAIN", r.StdErr, StringComparison.Ordinal);
    }

    /// <summary>The literal block of <c>.conductorone-token: before_script</c>, de-indented (YAML '- |' block).</summary>
    private static string ExtractBeforeScript()
    {
        var lines = File.ReadAllLines(Template);
        var start = Array.FindIndex(lines, l => l == ".conductorone-token:");
        var block = Array.FindIndex(lines, start, l => l.Trim() == "- |") + 1;
        var indent = lines[block].Length - lines[block].TrimStart().Length;
        return string.Join('\n', lines.Skip(block).TakeWhile(l => l.Length == 0 || l.Length - l.TrimStart().Length >= indent).Select(l => l.Length >= indent ? l[indent..] : l));
    }
}
