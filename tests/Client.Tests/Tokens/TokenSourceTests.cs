using System.Collections.Concurrent;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.TestSupport;
using Xunit;
using Env = WorkloadFederation.Contracts.Environment.EnvironmentVariables;

namespace WorkloadFederation.Client.Tests.Tokens;

/// <summary>Caching, renewal before expiry, one request in flight, and a fresh platform token per renewal.</summary>
public sealed class TokenSourceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task GetToken_WithinLifetime_IsServedFromCache()
    {
        var time = new ManualTimeProvider();
        var counter = 0;
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token($"at-{Interlocked.Increment(ref counter)}", 1800)));
        using var client = SecretClient(server, time);

        var first = await client.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(20));
        var second = await client.GetTokenAsync();

        Assert.Equal("at-1", first.Value);
        Assert.Same(first, second);
        Assert.Single(server.Requests);
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(1800), first.ExpiresAt);
    }

    [Fact]
    public async Task GetToken_InsideRenewalWindow_RenewsBeforeExpiry()
    {
        var time = new ManualTimeProvider();
        var counter = 0;
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token($"at-{Interlocked.Increment(ref counter)}", 1800)));
        using var client = SecretClient(server, time);

        var first = await client.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(25) - TimeSpan.FromSeconds(1));
        Assert.Same(first, await client.GetTokenAsync());
        time.Advance(TimeSpan.FromSeconds(2));
        var renewed = await client.GetTokenAsync();

        Assert.Equal("at-2", renewed.Value);
        Assert.True(renewed.ExpiresAt > first.ExpiresAt);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task GetToken_ShortLifetime_RenewsAtHalfLife()
    {
        var time = new ManualTimeProvider();
        var counter = 0;
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token($"at-{Interlocked.Increment(ref counter)}", 60)));
        using var client = SecretClient(server, time);

        await client.GetTokenAsync();
        time.Advance(TimeSpan.FromSeconds(29));
        await client.GetTokenAsync();
        Assert.Single(server.Requests);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("at-2", (await client.GetTokenAsync()).Value);
    }

    [Fact]
    public async Task GetToken_ManyConcurrentCallers_SendOneRequest()
    {
        var time = new ManualTimeProvider();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var counter = 0;
        await using var server = await StandInServer.StartAsync(async _ =>
        {
            var n = Interlocked.Increment(ref counter);
            arrived.TrySetResult();
            await release.Task;
            return StandInResponse.Token($"at-{n}", 1800);
        });
        using var client = SecretClient(server, time);

        var callers = Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await client.GetTokenAsync())).ToArray();
        await arrived.Task.WaitAsync(Bound);
        release.SetResult();
        var tokens = await Task.WhenAll(callers).WaitAsync(Bound);

        Assert.All(tokens, t => Assert.Equal("at-1", t.Value));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GetToken_ConcurrentCallersAtRenewal_ShareOneRenewal()
    {
        var time = new ManualTimeProvider();
        var counter = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StandInServer.StartAsync(async _ =>
        {
            var n = Interlocked.Increment(ref counter);
            if (n == 2)
            {
                secondArrived.TrySetResult();
                await gate.Task;
            }

            return StandInResponse.Token($"at-{n}", 1800);
        });
        using var client = SecretClient(server, time);
        await client.GetTokenAsync();

        time.Advance(TimeSpan.FromMinutes(26));
        var callers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () => await client.GetTokenAsync())).ToArray();
        await secondArrived.Task.WaitAsync(Bound);
        gate.SetResult();
        var tokens = await Task.WhenAll(callers).WaitAsync(Bound);

        Assert.All(tokens, t => Assert.Equal("at-2", t.Value));
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("at-2", (await client.GetTokenAsync()).Value);
    }

    [Fact]
    public async Task GetToken_RenewalFailsWhileTokenValid_ServesCachedThenRaisesAfterExpiry()
    {
        var time = new ManualTimeProvider();
        var counter = 0;
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(Interlocked.Increment(ref counter) == 1
            ? StandInResponse.Token("at-1", 1800)
            : StandInResponse.OAuthError(400, OAuthErrors.InvalidGrant, "credential revoked")));
        using var client = SecretClient(server, time);
        var first = await client.GetTokenAsync();

        time.Advance(TimeSpan.FromMinutes(26));
        Assert.Same(first, await client.GetTokenAsync());
        time.Advance(TimeSpan.FromMinutes(5));
        var error = await Assert.ThrowsAsync<WifTokenRequestException>(async () => await client.GetTokenAsync());

        Assert.Equal(OAuthErrors.InvalidGrant, error.Error);
        Assert.Equal("credential revoked", error.ErrorDescription);
    }

    [Fact]
    public async Task GitHubActions_EachRenewal_FetchesAFreshPlatformToken()
    {
        var time = new ManualTimeProvider();
        var ghCount = 0;
        var issued = 0;
        await using var server = await StandInServer.StartAsync(r =>
        {
            if (r.Path == "/github/token")
            {
                var n = Interlocked.Increment(ref ghCount);
                var jwt = TestJwt.Platform(time.GetUtcNow(), TimeSpan.FromMinutes(5), subject: $"run-{n}");
                return Task.FromResult(new StandInResponse(200, $$"""{"count":1,"value":"{{jwt}}"}"""));
            }

            return Task.FromResult(StandInResponse.Token($"at-{Interlocked.Increment(ref issued)}", 1800));
        });
        var env = new FakeEnvironment()
            .Set(Env.ClientId, TestSecrets.TrustClientId)
            .Set(Env.ServerUrl, server.BaseUrl.ToString())
            .Set(Env.GitHubTokenRequestUrl, new Uri(server.BaseUrl, "github/token?api-version=2.0").ToString())
            .Set(Env.GitHubTokenRequestToken, "gh-request-token");
        using var client = WifClient.FromEnvironment(new() { Environment = env.Get, TimeProvider = time });

        await client.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(26));
        await client.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(26));
        await client.GetTokenAsync();

        var gh = server.Requests.Where(r => r.Path == "/github/token").ToArray();
        var exchanges = server.Requests.Where(r => r.Path == EndpointPaths.Token).ToArray();
        Assert.Equal(3, gh.Length);
        Assert.Equal(3, exchanges.Length);
        Assert.All(gh, r => Assert.Equal("?api-version=2.0&audience=acme.example.com", r.Query));
        Assert.All(gh, r => Assert.Equal("Bearer gh-request-token", r.Headers["Authorization"]));
        Assert.Equal(3, exchanges.Select(r => r.Form[OAuthParameters.SubjectToken]).Distinct().Count());
        Assert.All(exchanges, r =>
        {
            Assert.Equal(GrantTypes.TokenExchange, r.Form[OAuthParameters.GrantType]);
            Assert.Equal(TokenTypes.Jwt, r.Form[OAuthParameters.SubjectTokenType]);
            Assert.Equal(TestSecrets.TrustClientId, r.Form[OAuthParameters.ClientId]);
        });
    }

    [Fact]
    public async Task Terraform_Renewal_ReReadsTheVariableAndRefusesAnExpiredToken()
    {
        var time = new ManualTimeProvider();
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token("at", 1800)));
        var firstJwt = TestJwt.Platform(time.GetUtcNow(), TimeSpan.FromMinutes(10));
        var env = new FakeEnvironment()
            .Set(Env.ClientId, TestSecrets.TrustClientId)
            .Set(Env.ServerUrl, server.BaseUrl.ToString())
            .Set("TFC_WORKLOAD_IDENTITY_TOKEN", firstJwt);
        using var client = WifClient.FromEnvironment(new() { Environment = env.Get, TimeProvider = time });

        await client.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(26));
        var secondJwt = TestJwt.Platform(time.GetUtcNow(), TimeSpan.FromMinutes(10));
        env.Set("TFC_WORKLOAD_IDENTITY_TOKEN", secondJwt);
        await client.GetTokenAsync();
        time.Advance(TimeSpan.FromMinutes(31));
        var error = await Assert.ThrowsAsync<WifPlatformTokenException>(async () => await client.GetTokenAsync());

        Assert.Equal(new[] { firstJwt, secondJwt }, server.Requests.Select(r => r.Form[OAuthParameters.SubjectToken]));
        Assert.Contains("TFC_WORKLOAD_IDENTITY_TOKEN expired at", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secondJwt, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OidcToken_Expired_IsNotSent()
    {
        var time = new ManualTimeProvider();
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.Token("at", 1800)));
        var expired = TestJwt.Platform(time.GetUtcNow() - TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(5));
        using var client = WifClient.FromEnvironment(new()
        {
            ReadEnvironment = false,
            OidcToken = expired,
            ClientId = TestSecrets.TrustClientId,
            ServerUrl = server.BaseUrl.ToString(),
            TimeProvider = time,
        });

        var error = await Assert.ThrowsAsync<WifPlatformTokenException>(async () => await client.GetTokenAsync());

        Assert.Empty(server.Requests);
        Assert.Contains("the OidcToken option expired at", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessToken_IsUsedAsIsWithoutAnyRequest()
    {
        var token = TestJwt.Create(new { exp = 4102444800, tenant = "acme.example.com" });
        using var client = WifClient.FromEnvironment(new() { Environment = new FakeEnvironment().Set(Env.AccessToken, token).Get });

        var got = await client.GetTokenAsync();

        Assert.Equal(token, got.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(4102444800), got.ExpiresAt);
        Assert.Null(client.TokenEndpoint);
        Assert.DoesNotContain(token, got.ToString(), StringComparison.Ordinal);
    }

    internal static WifClient SecretClient(StandInServer server, TimeProvider time, Client.Configuration.RetryOptions? retry = null) =>
        WifClient.FromEnvironment(new()
        {
            ReadEnvironment = false,
            ClientId = TestSecrets.CredentialClientId,
            ClientSecret = TestSecrets.Create().Secret,
            ServerUrl = server.BaseUrl.ToString(),
            TimeProvider = time,
            Retry = retry ?? new() { Delay = (_, _) => Task.CompletedTask },
        });

    internal static ConcurrentQueue<TimeSpan> RecordDelays(out Func<TimeSpan, CancellationToken, Task> delay)
    {
        var delays = new ConcurrentQueue<TimeSpan>();
        delay = (d, _) =>
        {
            delays.Enqueue(d);
            return Task.CompletedTask;
        };
        return delays;
    }
}
