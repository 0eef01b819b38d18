using System.Text.Json;
using WorkloadFederation.Cli.Tests.Support;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Contracts.OAuth;
using Xunit;

namespace WorkloadFederation.Cli.Tests.Commands;

/// <summary><c>wif admin ...</c> run as a process against a stand-in admin API.</summary>
public sealed class AdminCommandTests
{
    private const string Now = "2026-11-21T12:00:00Z";
    private const string Sp = $$"""{"id":"sp_1","display_name":"deployer","roles":["Read-Only Administrator"],"owners":[],"enabled":true,"created_at":"{{Now}}","updated_at":"{{Now}}"}""";
    private const string NewSecret = "secret-token:acme.example.com:v1:eyJrdHkiOiJPS1AifQ";

    private static Task<StandInResponse> Api(RecordedRequest r)
    {
        if (r.Path == EndpointPaths.Token)
        {
            return Task.FromResult(StandInResponse.Token("admin-access-token", 3600));
        }

        if (r.Headers.GetValueOrDefault("Authorization") != "Bearer admin-access-token")
        {
            return Task.FromResult(new StandInResponse(401, """{"type":"about:blank","title":"Unauthorized","status":401,"code":"unauthenticated","detail":"a valid bearer token is required"}"""));
        }

        return Task.FromResult((r.Method, r.Path) switch
        {
            ("GET", "/api/v1/service-principals") => new StandInResponse(200, $$"""{"service_principals":[{{Sp}}]}"""),
            ("POST", "/api/v1/service-principals") => new StandInResponse(201, Sp),
            ("POST", "/api/v1/service-principals/sp_1/credentials") => new StandInResponse(201, $$"""{"id":"cred_9","service_principal_id":"sp_1","client_id":"quiet-falcon-00042@acme.example.com/spc","display_name":"ci","expires_at":"2027-02-19T12:00:00Z","ip_allowlist":[],"scoped_roles":[],"public_key_jwk":{"kty":"OKP","crv":"Ed25519","x":"abc"},"revoked":false,"created_at":"{{Now}}","updated_at":"{{Now}}","client_secret":"{{NewSecret}}"}"""),
            ("GET", "/api/v1/service-principals/sp_1/credentials") => new StandInResponse(200, $$"""{"credentials":[{"id":"cred_9","service_principal_id":"sp_1","client_id":"quiet-falcon-00042@acme.example.com/spc","display_name":"ci","expires_at":"2027-02-19T12:00:00Z","ip_allowlist":[],"scoped_roles":[],"public_key_jwk":{"kty":"OKP","crv":"Ed25519","x":"abc"},"revoked":false,"created_at":"{{Now}}","updated_at":"{{Now}}"}]}"""),
            ("POST", "/api/v1/service-principals/sp_1/trusts/tr_1/test") => new StandInResponse(200, """
                {"allowed":false,"effective_roles":[],"decoded_claims":{"repository":"acme/app"},"steps":[
                 {"name":"jwt_decode","status":"skipped","detail":"bare claims"},
                 {"name":"issuer_match","status":"skipped","detail":"bare claims"},
                 {"name":"signature_validation","status":"skipped","detail":"bare claims"},
                 {"name":"audience_validation","status":"skipped","detail":"bare claims"},
                 {"name":"token_freshness","status":"skipped","detail":"bare claims"},
                 {"name":"cel_evaluation","status":"fail","expected":"true","actual":"false","detail":"condition not met"},
                 {"name":"ip_address_check","status":"skipped","detail":"not reached"}]}
                """),
            ("GET", "/api/v1/provider-presets") => new StandInResponse(200, """{"presets":[{"id":"github-actions","display_name":"GitHub Actions","issuer_url":"https://token.actions.githubusercontent.com","issuer_editable":false,"claims":["repository","ref"],"default_algorithms":["RS256"],"future_member":1}]}"""),
            ("DELETE", "/api/v1/providers/prv_used") => new StandInResponse(409, """{"title":"Conflict","status":409,"code":"provider_in_use","detail":"a trust uses this provider"}"""),
            ("GET", "/api/v1/providers/prv_other") => new StandInResponse(404, """{"title":"Not Found","status":404,"code":"not_found","detail":"no such provider"}"""),
            ("POST", "/api/v1/service-principals/sp_1/trusts") => new StandInResponse(400, """{"title":"Bad Request","status":400,"code":"invalid_condition","field":"condition","detail":"syntax error at 1:12"}"""),
            _ => new StandInResponse(404, """{"title":"Not Found","status":404,"code":"not_found"}"""),
        });
    }

    private static Dictionary<string, string> Env(StandInServer node) => Commands.TokenCommandTests.SecretEnv(node, TestSecrets.Create().Secret);

    [Fact]
    public async Task ServicePrincipalsList_Default_PrintsATable()
    {
        await using var node = await StandInServer.StartAsync(Api);

        var r = await CliProcess.WifAsync(Env(node), "admin", "service-principals", "list");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("display name", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("deployer", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("sp_1", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("│", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServicePrincipalsList_Json_PrintsTheServersJson()
    {
        await using var node = await StandInServer.StartAsync(Api);

        var r = await CliProcess.WifAsync(Env(node), "admin", "service-principals", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal("deployer", doc.RootElement.GetProperty("service_principals")[0].GetProperty("display_name").GetString());
    }

    [Fact]
    public async Task ServicePrincipalsCreate_SendsRolesAndOwners()
    {
        await using var node = await StandInServer.StartAsync(Api);

        var r = await CliProcess.WifAsync(Env(node), "admin", "service-principals", "create", "--display-name", "deployer", "--role", "Read-Only Administrator", "--role", "Basic User");

        Assert.True(r.ExitCode == 0, r.ToString());
        var body = Assert.Single(node.Requests, q => q.Method == "POST" && q.Path == "/api/v1/service-principals").Body;
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("deployer", doc.RootElement.GetProperty("display_name").GetString());
        Assert.Equal(new[] { "Read-Only Administrator", "Basic User" }, doc.RootElement.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, doc.RootElement.GetProperty("owners").GetArrayLength());
    }

    [Fact]
    public async Task CredentialsCreate_PrintsTheNewSecretOnce()
    {
        await using var node = await StandInServer.StartAsync(Api);

        var r = await CliProcess.WifAsync(Env(node), "admin", "credentials", "create", "--sp", "sp_1", "--display-name", "ci", "--expires-in-days", "30");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(1, CountOf(r.StdOut, NewSecret));
        Assert.Contains("shown only now", r.StdOut, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(Assert.Single(node.Requests, q => q.Method == "POST" && q.Path.EndsWith("/credentials", StringComparison.Ordinal)).Body);
        Assert.Equal(30, doc.RootElement.GetProperty("expires_in_days").GetInt32());
    }

    [Fact]
    public async Task CredentialsCreate_LocalKey_SendsOnlyThePublicKeyAndAssemblesTheSecretHere()
    {
        await using var node = await StandInServer.StartAsync(r => r.Path == EndpointPaths.Token
            ? Task.FromResult(StandInResponse.Token("admin-access-token", 3600))
            : Task.FromResult(new StandInResponse(201, $$"""{"id":"cred_local","service_principal_id":"sp_1","client_id":"quiet-falcon-00042@acme.example.com/spc","display_name":"ci","expires_at":"2027-02-19T12:00:00Z","ip_allowlist":[],"scoped_roles":[],"public_key_jwk":{"kty":"OKP","crv":"Ed25519","x":"abc"},"revoked":false,"created_at":"{{Now}}","updated_at":"{{Now}}"}""")));

        var r = await CliProcess.WifAsync(Env(node), "admin", "credentials", "create", "--sp", "sp_1", "--display-name", "ci", "--local-key", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        using var sent = JsonDocument.Parse(Assert.Single(node.Requests, q => q.Path.EndsWith("/credentials", StringComparison.Ordinal)).Body);
        var jwk = sent.RootElement.GetProperty("public_key_jwk");
        Assert.Equal("OKP", jwk.GetProperty("kty").GetString());
        Assert.Equal("Ed25519", jwk.GetProperty("crv").GetString());
        Assert.False(jwk.TryGetProperty("d", out _));
        using var printed = JsonDocument.Parse(r.StdOut);
        var secretText = printed.RootElement.GetProperty("client_secret").GetString();
        Assert.True(Contracts.Identity.ClientSecret.TryParse(secretText, out var secret, out var error), error);
        Assert.Equal("cred_local", secret!.KeyId);
        Assert.Equal("acme.example.com", secret.Tenant);
        Assert.Equal(jwk.GetProperty("x").GetString(), System.Buffers.Text.Base64Url.EncodeToString(secret.PublicKey));
    }

    [Fact]
    public async Task CredentialsList_NeverPrintsASecret()
    {
        await using var node = await StandInServer.StartAsync(Api);

        var r = await CliProcess.WifAsync(Env(node), "admin", "credentials", "list", "--sp", "sp_1");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("quiet-falcon-00042@acme.example.com/spc", r.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token:", r.StdOut + r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialsList_WithoutSp_IsAUsageError()
    {
        var r = await CliProcess.WifAsync(null, "admin", "credentials", "list");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("--sp", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrustsTest_Denied_PrintsEveryStepAndExits1()
    {
        await using var node = await StandInServer.StartAsync(Api);
        var claims = Path.Combine(Path.GetTempPath(), $"wif-claims-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(claims, """{"repository":"acme/app"}""");
        try
        {
            var r = await CliProcess.WifAsync(Env(node), "admin", "trusts", "test", "--sp", "sp_1", "tr_1", "--claims", claims, "--client-ip", "203.0.113.7");

            Assert.True(r.ExitCode == 1, r.ToString());
            var positions = new[] { "jwt_decode", "issuer_match", "signature_validation", "audience_validation", "token_freshness", "cel_evaluation", "ip_address_check" }
                .Select(s => r.StdOut.IndexOf(s, StringComparison.Ordinal)).ToArray();
            Assert.All(positions, p => Assert.True(p >= 0, r.StdOut));
            Assert.Equal(positions.Order(), positions);
            Assert.Contains("condition not met", r.StdOut, StringComparison.Ordinal);
            Assert.Contains("allowed: no", r.StdOut, StringComparison.Ordinal);
            using var sent = JsonDocument.Parse(Assert.Single(node.Requests, q => q.Path.EndsWith("/test", StringComparison.Ordinal)).Body);
            Assert.Equal("acme/app", sent.RootElement.GetProperty("claims").GetProperty("repository").GetString());
            Assert.Equal("203.0.113.7", sent.RootElement.GetProperty("client_ip").GetString());
        }
        finally
        {
            File.Delete(claims);
        }
    }

    [Fact]
    public async Task Presets_UnknownMembersFromANewerServer_AreTolerated()
    {
        await using var node = await StandInServer.StartAsync(Api);

        var r = await CliProcess.WifAsync(Env(node), "admin", "presets");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("github-actions", r.StdOut, StringComparison.Ordinal);
    }

    public sealed record ProblemCase(string Name, string[] Args, int ExitCode, string Text)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<ProblemCase> Problems() => new()
    {
        new("404 of another tenant", ["admin", "providers", "get", "prv_other"], 5, "HTTP 404 not_found: no such provider"),
        new("409 provider in use", ["admin", "providers", "delete", "prv_used"], 5, "HTTP 409 provider_in_use: a trust uses this provider"),
        new("400 names the field", ["admin", "trusts", "create", "--sp", "sp_1", "--display-name", "t", "--provider", "prv_1", "--condition", "claims.x =="], 5, "invalid_condition: syntax error at 1:12 (field: condition)"),
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public async Task Admin_ProblemAnswer_PrintsCodeAndExits5(ProblemCase c)
    {
        await using var node = await StandInServer.StartAsync(Api);

        var r = await CliProcess.WifAsync(Env(node), c.Args);

        Assert.True(r.ExitCode == c.ExitCode, r.ToString());
        Assert.Contains(c.Text, r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_RejectedToken_Exit4()
    {
        await using var node = await StandInServer.StartAsync(Api);
        var env = new Dictionary<string, string> { ["CONDUCTORONE_ACCESS_TOKEN"] = "stale-token", ["CONDUCTORONE_SERVER_URL"] = node.BaseUrl.ToString() };

        var r = await CliProcess.WifAsync(env, "admin", "roles");

        Assert.True(r.ExitCode == 4, r.ToString());
        Assert.Contains("HTTP 401 unauthenticated", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("stale-token", r.StdErr, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
