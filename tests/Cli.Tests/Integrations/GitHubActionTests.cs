using WorkloadFederation.Cli.Tests.Support;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Cli.Tests.Integrations;

/// <summary>
/// The GitHub composite action's script (integrations/github-action/exchange.sh), run with bash against a local
/// stand-in for GitHub's OIDC token request endpoint and a stand-in token endpoint.
/// </summary>
public sealed class GitHubActionTests : IDisposable
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "integrations", "github-action", "exchange.sh");
    private readonly string _dir = Directory.CreateTempSubdirectory("wif-gha-").FullName;
    private readonly string _platformToken = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
    private const string AccessToken = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcF8xIn0.c2ln";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string GitHubEnv => Path.Combine(_dir, "github_env");

    private string GitHubOutput => Path.Combine(_dir, "github_output");

    private Func<RecordedRequest, Task<StandInResponse>> Node(Func<RecordedRequest, StandInResponse> exchange) => r =>
        Task.FromResult(r.Path == "/gh"
            ? new StandInResponse(200, $$"""{"count":1,"value":"{{_platformToken}}"}""")
            : exchange(r));

    private Dictionary<string, string> Env(StandInServer node, string clientId = TestSecrets.TrustClientId) => new()
    {
        ["WIF_INPUT_CLIENT_ID"] = clientId,
        ["WIF_INPUT_AUDIENCE"] = string.Empty,
        ["WIF_INPUT_SERVER_URL"] = node.BaseUrl.ToString().TrimEnd('/'),
        ["ACTIONS_ID_TOKEN_REQUEST_URL"] = new Uri(node.BaseUrl, "gh?api-version=2.0").ToString(),
        ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "gh-request-token",
        ["GITHUB_ENV"] = GitHubEnv,
        ["GITHUB_OUTPUT"] = GitHubOutput,
        ["RUNNER_TEMP"] = _dir,
    };

    private static Task<ProcessResult> RunScriptAsync(Dictionary<string, string> env) => CliProcess.RunAsync("bash", [Script], env, stdin: null);

    [Fact]
    public async Task Action_Success_MasksAndExportsTheTokenAndClientId()
    {
        await using var node = await StandInServer.StartAsync(Node(_ => StandInResponse.Token(AccessToken, 1800)));
        File.WriteAllText(GitHubEnv, string.Empty);

        var r = await RunScriptAsync(Env(node));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"::add-mask::{AccessToken}", r.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, r.StdOut.Split(AccessToken).Length - 1);
        var exported = ParseGitHubEnv(File.ReadAllText(GitHubEnv));
        Assert.Equal(AccessToken, exported["CONDUCTORONE_ACCESS_TOKEN"]);
        Assert.Equal(TestSecrets.TrustClientId, exported["CONDUCTORONE_CLIENT_ID"]);
        Assert.Contains("expires_in=1800", File.ReadAllText(GitHubOutput), StringComparison.Ordinal);

        var gh = Assert.Single(node.Requests, q => q.Path == "/gh");
        Assert.Equal("?api-version=2.0&audience=acme.example.com", gh.Query);
        Assert.Equal("bearer gh-request-token", gh.Headers["Authorization"]);
        var exchange = Assert.Single(node.Requests, q => q.Path == EndpointPaths.Token);
        Assert.Equal(GrantTypes.TokenExchange, exchange.Form[OAuthParameters.GrantType]);
        Assert.Equal(TestSecrets.TrustClientId, exchange.Form[OAuthParameters.ClientId]);
        Assert.Equal(TokenTypes.Jwt, exchange.Form[OAuthParameters.SubjectTokenType]);
        Assert.Equal(_platformToken, exchange.Form[OAuthParameters.SubjectToken]);
        Assert.DoesNotContain(_platformToken, r.StdOut + r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("gh-request-token", r.StdOut + r.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(_dir));
    }

    [Fact]
    public async Task Action_AudienceInput_IsRequestedFromGitHub()
    {
        await using var node = await StandInServer.StartAsync(Node(_ => StandInResponse.Token(AccessToken, 1800)));
        var env = Env(node);
        env["WIF_INPUT_AUDIENCE"] = "https://wif.acme.example.com";

        var r = await RunScriptAsync(env);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("?api-version=2.0&audience=https%3A%2F%2Fwif.acme.example.com", Assert.Single(node.Requests, q => q.Path == "/gh").Query);
    }

    [Fact]
    public async Task Action_ServerRefuses_FailsWithTheServersErrorText()
    {
        await using var node = await StandInServer.StartAsync(Node(_ => StandInResponse.OAuthError(400, OAuthErrors.InvalidGrant, "condition not satisfied")));

        var r = await RunScriptAsync(Env(node));

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("::error title=WorkloadFederation::the token exchange was refused (HTTP 400): invalid_grant: condition not satisfied", r.StdOut, StringComparison.Ordinal);
        Assert.False(File.Exists(GitHubEnv) && File.ReadAllText(GitHubEnv).Contains("CONDUCTORONE_ACCESS_TOKEN", StringComparison.Ordinal));
        Assert.Single(node.Requests, q => q.Path == EndpointPaths.Token);
    }

    [Fact]
    public async Task Action_ErrorTextWithNewlines_IsEscapedForTheWorkflowCommand()
    {
        await using var node = await StandInServer.StartAsync(Node(_ => new StandInResponse(400, """{"error":"invalid_grant","error_description":"100% bad\n::set-env name=X::y"}""")));

        var r = await RunScriptAsync(Env(node));

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("100%25 bad%0A::set-env", r.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("\n::set-env", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Action_RateLimitedOnce_RetriesAndSucceeds()
    {
        var calls = 0;
        await using var node = await StandInServer.StartAsync(Node(_ => Interlocked.Increment(ref calls) == 1
            ? new StandInResponse(429, """{"error":"temporarily_unavailable"}""", new Dictionary<string, string> { ["Retry-After"] = "0" })
            : StandInResponse.Token(AccessToken, 1800)));

        var r = await RunScriptAsync(Env(node));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(2, node.Requests.Count(q => q.Path == EndpointPaths.Token));
    }

    [Fact]
    public async Task Action_WithoutIdTokenPermission_FailsSayingSo()
    {
        await using var node = await StandInServer.StartAsync(Node(_ => StandInResponse.Token(AccessToken, 1800)));
        var env = Env(node);
        env.Remove("ACTIONS_ID_TOKEN_REQUEST_URL");
        env.Remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN");

        var r = await RunScriptAsync(env);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("permissions: id-token: write", r.StdOut, StringComparison.Ordinal);
        Assert.Empty(node.Requests);
    }

    public sealed record BadInput(string Name, string ClientId, string ServerUrl, string Error)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<BadInput> BadInputs() => new()
    {
        new("credential client id instead of a trust's", TestSecrets.CredentialClientId, "", "input client_id is malformed"),
        new("empty client id", "", "", "input client_id is required"),
        new("plain http to a remote host", TestSecrets.TrustClientId, "http://wif.acme.example.com", "server_url must be an https:// URL"),
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Action_BadInput_FailsBeforeAnyRequest(BadInput c)
    {
        await using var node = await StandInServer.StartAsync(Node(_ => StandInResponse.Token(AccessToken, 1800)));
        var env = Env(node, c.ClientId);
        if (c.ServerUrl.Length > 0)
        {
            env["WIF_INPUT_SERVER_URL"] = c.ServerUrl;
        }

        var r = await RunScriptAsync(env);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains(c.Error, r.StdOut, StringComparison.Ordinal);
        Assert.Empty(node.Requests);
    }

    /// <summary>Reads GITHUB_ENV: <c>NAME=value</c> lines and <c>NAME&lt;&lt;DELIM</c> … <c>DELIM</c> blocks.</summary>
    private static Dictionary<string, string> ParseGitHubEnv(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            if (heredoc > 0)
            {
                var name = line[..heredoc];
                var delimiter = line[(heredoc + 2)..];
                var value = new List<string>();
                while (lines[++i] != delimiter)
                {
                    value.Add(lines[i]);
                }

                result[name] = string.Join('\n', value);
            }
            else if (line.IndexOf('=') is var eq and > 0)
            {
                result[line[..eq]] = line[(eq + 1)..];
            }
        }

        return result;
    }
}
