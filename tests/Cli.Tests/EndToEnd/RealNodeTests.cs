using System.Text.Json;
using WorkloadFederation.Cli.Tests.Support;
using WorkloadFederation.Client;
using WorkloadFederation.Client.Jwt;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.TestSupport;
using Xunit;
using Env = WorkloadFederation.Contracts.Environment.EnvironmentVariables;

namespace WorkloadFederation.Cli.Tests.EndToEnd;

/// <summary>The SDK, <c>wif</c> and the GitHub action against a real dev node: client credentials, exchange, renewal.</summary>
public sealed class RealNodeTests(RealNode node) : IClassFixture<RealNode>
{
    private Dictionary<string, string> ServerEnv => new() { [Env.ServerUrl] = node.BaseUrl.ToString() };

    private string[] Admin(params string[] args) => ["--credentials-file", node.BootstrapFile, .. args];

    [Fact]
    public async Task Sdk_BootstrapAdmin_GetsATokenAndCallsTheAdminApi()
    {
        using var client = AdminClient();

        var token = await client.GetTokenAsync();
        using var admin = client.CreateAdminClient();
        var roles = await admin.ListRolesAsync();

        Assert.True(UnverifiedJwt.TryDecode(token.Value, out var jwt, out _), node.Tail());
        Assert.Contains("client_credentials", jwt.Payload.GetProperty("amr").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("Super Admin", roles.Value.Roles);
    }

    [Fact]
    public async Task Sdk_ManyConcurrentCallers_ShareOneTokenFromTheNode()
    {
        using var client = AdminClient();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () => (await client.GetTokenAsync()).Value)));

        // Every token the node issues has its own jti: one distinct value means one request.
        Assert.Single(tokens.Distinct());
    }

    [Fact]
    public async Task Cli_CredentialLifecycle_CreateUseRevoke()
    {
        var sp = await JsonOf(await Wif(ServerEnv, Admin("admin", "service-principals", "create", "--display-name", "e2e-cred", "--role", "Read-Only Administrator", "--json")));
        var spId = sp.GetProperty("id").GetString()!;
        var created = await JsonOf(await Wif(ServerEnv, Admin("admin", "credentials", "create", "--sp", spId, "--display-name", "ci", "--expires-in-days", "7", "--json")));
        var env = new Dictionary<string, string>(ServerEnv)
        {
            [Env.ClientId] = created.GetProperty("client_id").GetString()!,
            [Env.ClientSecret] = created.GetProperty("client_secret").GetString()!,
        };

        var decoded = await JsonOf(await Wif(env, "token", "--decode", "--json"));
        Assert.Equal(spId, decoded.GetProperty("claims").GetProperty("sub").GetString());
        Assert.Contains("Read-Only Administrator", decoded.GetProperty("claims").GetProperty("roles").EnumerateArray().Select(e => e.GetString()));

        var list = await Wif(ServerEnv, Admin("admin", "credentials", "list", "--sp", spId));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.DoesNotContain("secret-token:", list.StdOut, StringComparison.Ordinal);

        var revoked = await Wif(ServerEnv, Admin("admin", "credentials", "delete", "--sp", spId, created.GetProperty("id").GetString()!));
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        var refused = await CliProcess.WifAsync(env, "token");
        Assert.True(refused.ExitCode == 4, refused + node.Tail());
        // The exact error and description of a revoked credential (DenialCatalog), not just any "invalid_…".
        Assert.Contains("the token endpoint refused the request: invalid_client: credential revoked", refused.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_TrustWithDevIssuer_ExchangesTestsAndRefuses()
    {
        var (spId, trust) = await CreateTrustAsync("claims.sub == \"repo:acme/app:ref:refs/heads/main\"");
        var clientId = trust.GetProperty("client_id").GetString()!;
        var good = await node.MintDevTokenAsync(new { sub = "repo:acme/app:ref:refs/heads/main", repository = "acme/app" });

        var env = new Dictionary<string, string>(ServerEnv) { [Env.ClientId] = clientId, [Env.OidcToken] = good };
        var exchanged = await CliProcess.WifAsync(env, "token", "--json");
        Assert.True(exchanged.ExitCode == 0, exchanged + node.Tail());
        using (var doc = JsonDocument.Parse(exchanged.StdOut))
        {
            Assert.Equal("urn:ietf:params:oauth:token-type:access_token", doc.RootElement.GetProperty("issued_token_type").GetString());
        }

        var tested = await Wif(ServerEnv, Admin("admin", "trusts", "test", "--sp", spId, trust.GetProperty("id").GetString()!, "--token", good));
        Assert.Contains("cel_evaluation", tested.StdOut, StringComparison.Ordinal);
        Assert.Contains("allowed: yes", tested.StdOut, StringComparison.Ordinal);

        var bad = await node.MintDevTokenAsync(new { sub = "repo:acme/app:ref:refs/heads/feature", repository = "acme/app" });
        var refused = await CliProcess.WifAsync(new Dictionary<string, string>(env) { [Env.OidcToken] = bad }, "token");
        Assert.True(refused.ExitCode == 4, refused.ToString());
        Assert.Contains("the token endpoint refused the request: invalid_grant: condition not satisfied", refused.StdErr, StringComparison.Ordinal);

        var doctor = await CliProcess.WifAsync(new Dictionary<string, string>(env) { [Env.OidcToken] = bad }, "doctor");
        Assert.True(doctor.ExitCode == 1, doctor.ToString());
        Assert.Contains("invalid_grant", doctor.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdk_Renewal_SendsAFreshPlatformTokenEachTime()
    {
        var (_, trust) = await CreateTrustAsync("claims.repository == \"acme/app\"");
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var minted = new List<string>();
        string? Read(string name)
        {
            if (name == Env.OidcToken)
            {
                var token = node.MintDevTokenAsync(new { sub = "renewal", repository = "acme/app" }, lifetimeSeconds: 3600).GetAwaiter().GetResult();
                lock (minted)
                {
                    minted.Add(token);
                }

                return token;
            }

            return name == Env.ClientId ? trust.GetProperty("client_id").GetString() : name == Env.ServerUrl ? node.BaseUrl.ToString() : null;
        }

        using var client = WifClient.FromEnvironment(new() { Environment = Read, TimeProvider = time });
        var first = await client.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Same(first, await client.GetTokenAsync());
        time.Advance(TimeSpan.FromMinutes(16));
        var renewed = await client.GetTokenAsync();

        Assert.NotEqual(first.Value, renewed.Value);
        // One read when the chain is resolved, then one fresh platform token per exchange.
        Assert.Equal(3, minted.Count);
        Assert.Equal(3, minted.Distinct().Count());
    }

    [Fact]
    public async Task GitHubAction_AgainstTheNode_ExportsAnAccessToken()
    {
        var (_, trust) = await CreateTrustAsync("claims.repository == \"acme/app\"");
        var platform = await node.MintDevTokenAsync(new { sub = "repo:acme/app:ref:refs/heads/main", repository = "acme/app" });
        await using var github = await StandInServer.StartAsync(_ => Task.FromResult(new StandInResponse(200, $$"""{"value":"{{platform}}"}""")));
        var dir = Directory.CreateTempSubdirectory("wif-gha-e2e-").FullName;
        try
        {
            var env = new Dictionary<string, string>
            {
                ["WIF_INPUT_CLIENT_ID"] = trust.GetProperty("client_id").GetString()!,
                ["WIF_INPUT_SERVER_URL"] = node.BaseUrl.ToString(),
                ["ACTIONS_ID_TOKEN_REQUEST_URL"] = new Uri(github.BaseUrl, "token?api-version=2.0").ToString(),
                ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "request-token",
                ["GITHUB_ENV"] = Path.Combine(dir, "env"),
                ["RUNNER_TEMP"] = dir,
            };

            var r = await CliProcess.RunAsync("bash", [Path.Combine(RepoPaths.Root, "integrations", "github-action", "exchange.sh")], env, stdin: null);

            Assert.True(r.ExitCode == 0, r + node.Tail());
            Assert.Equal("?api-version=2.0&audience=localhost", Assert.Single(github.Requests).Query);
            Assert.Contains("CONDUCTORONE_ACCESS_TOKEN<<", File.ReadAllText(Path.Combine(dir, "env")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private WifClient AdminClient() => WifClient.FromEnvironment(new()
    {
        ReadEnvironment = false,
        ClientId = node.AdminClientId,
        ClientSecret = node.AdminSecret,
        ServerUrl = node.BaseUrl.ToString(),
    });

    private async Task<(string SpId, JsonElement Trust)> CreateTrustAsync(string condition)
    {
        var providers = await JsonOf(await Wif(ServerEnv, Admin("admin", "providers", "--json")));
        var dev = providers.GetProperty("providers").EnumerateArray().First(p => p.GetProperty("development_issuer").GetBoolean());
        var sp = await JsonOf(await Wif(ServerEnv, Admin("admin", "service-principals", "create", "--display-name", "e2e-trust", "--role", "Basic User", "--json")));
        var spId = sp.GetProperty("id").GetString()!;
        var trust = await JsonOf(await Wif(ServerEnv, Admin("admin", "trusts", "create", "--sp", spId, "--display-name", "e2e", "--provider", dev.GetProperty("id").GetString()!, "--condition", condition, "--json")));
        return (spId, trust);
    }

    private async Task<ProcessResult> Wif(Dictionary<string, string> env, params string[] args)
    {
        var r = await CliProcess.WifAsync(env, args);
        Assert.True(r.ExitCode == 0, $"wif {string.Join(' ', args.Where(a => !a.Contains("secret", StringComparison.Ordinal)))}\n{r}\n--- node\n{node.Tail()}");
        return r;
    }

    private static Task<JsonElement> JsonOf(ProcessResult r)
    {
        using var doc = JsonDocument.Parse(r.StdOut);
        return Task.FromResult(doc.RootElement.Clone());
    }
}
