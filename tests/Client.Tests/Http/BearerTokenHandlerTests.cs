using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Client.Tests.Tokens;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Client.Tests.Http;

public sealed class BearerTokenHandlerTests
{
    [Fact]
    public async Task HttpClient_FromWifClient_SendsTheBearerToken()
    {
        await using var server = await StandInServer.StartAsync(r => Task.FromResult(r.Path == EndpointPaths.Token
            ? StandInResponse.Token("at-1", 1800)
            : new StandInResponse(200, """{"ok":true}""")));
        using var wif = TokenSourceTests.SecretClient(server, new ManualTimeProvider());
        using var http = wif.CreateHttpClient(server.BaseUrl);

        var response = await http.GetAsync("api/things");

        Assert.True(response.IsSuccessStatusCode);
        var call = Assert.Single(server.Requests, r => r.Path == "/api/things");
        Assert.Equal("Bearer at-1", call.Headers["Authorization"]);
    }

    [Fact]
    public async Task HttpClient_ApiAnswers401_ForgetsTheTokenAndRetriesOnceWithANewOne()
    {
        var issued = 0;
        await using var server = await StandInServer.StartAsync(r =>
        {
            if (r.Path == EndpointPaths.Token)
            {
                return Task.FromResult(StandInResponse.Token($"at-{Interlocked.Increment(ref issued)}", 1800));
            }

            return Task.FromResult(new StandInResponse(r.Headers["Authorization"] == "Bearer at-1" ? 401 : 200));
        });
        using var wif = TokenSourceTests.SecretClient(server, new ManualTimeProvider());
        using var http = wif.CreateHttpClient(server.BaseUrl);

        var response = await http.GetAsync("api/things");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(new[] { "Bearer at-1", "Bearer at-2" }, server.Requests.Where(r => r.Path == "/api/things").Select(r => r.Headers["Authorization"]));
    }

    [Fact]
    public async Task HttpClient_401OnARequestWithABody_IsReturnedWithoutResendingTheBody()
    {
        var issued = 0;
        await using var server = await StandInServer.StartAsync(r => Task.FromResult(r.Path == EndpointPaths.Token
            ? StandInResponse.Token($"at-{Interlocked.Increment(ref issued)}", 1800)
            : new StandInResponse(401)));
        using var wif = TokenSourceTests.SecretClient(server, new ManualTimeProvider());
        using var http = wif.CreateHttpClient(server.BaseUrl);

        var response = await http.PostAsync("api/things", new StringContent("{}"));

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Single(server.Requests, r => r.Path == "/api/things");
        // The rejected token was forgotten: the next call obtains a new one.
        await http.GetAsync("api/other");
        Assert.Equal("Bearer at-2", server.Requests.First(r => r.Path == "/api/other").Headers["Authorization"]);
    }
}
