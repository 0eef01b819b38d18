using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using WorkloadFederation.Client.Configuration;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Client.Tests.Tokens;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Client.Tests.Http;

/// <summary>Bounded retries: 429 honouring Retry-After, 5xx with back-off, never 400/401.</summary>
public sealed class RetryTests
{
    [Fact]
    public async Task TokenRequest_429WithRetryAfter_WaitsThatLongThenSucceeds()
    {
        var delays = TokenSourceTests.RecordDelays(out var delay);
        var n = 0;
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(Interlocked.Increment(ref n) == 1
            ? new StandInResponse(429, """{"error":"temporarily_unavailable","error_description":"rate limited"}""", new Dictionary<string, string> { ["Retry-After"] = "7" })
            : StandInResponse.Token("at", 1800)));
        using var client = TokenSourceTests.SecretClient(server, new ManualTimeProvider(), new RetryOptions { Delay = delay });

        var token = await client.GetTokenAsync();

        Assert.Equal("at", token.Value);
        Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, delays);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task TokenRequest_429WithRetryAfterBeyondLimit_FailsAtOnceWithRetryAfter()
    {
        var delays = TokenSourceTests.RecordDelays(out var delay);
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(
            new StandInResponse(429, """{"error":"temporarily_unavailable","error_description":"rate limited"}""", new Dictionary<string, string> { ["Retry-After"] = "3600" })));
        using var client = TokenSourceTests.SecretClient(server, new ManualTimeProvider(), new RetryOptions { Delay = delay });

        var error = await Assert.ThrowsAsync<WifTokenRequestException>(async () => await client.GetTokenAsync());

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
        Assert.Empty(delays);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task TokenRequest_ServerErrors_AreRetriedWithGrowingBackoffUpToTheBound()
    {
        var delays = TokenSourceTests.RecordDelays(out var delay);
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(new StandInResponse(503)));
        using var client = TokenSourceTests.SecretClient(server, new ManualTimeProvider(), new RetryOptions
        {
            Delay = delay,
            MaxAttempts = 4,
            BaseDelay = TimeSpan.FromMilliseconds(400),
            MaxDelay = TimeSpan.FromSeconds(1),
        });

        var error = await Assert.ThrowsAsync<WifTokenRequestException>(async () => await client.GetTokenAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(4, server.Requests.Count);
        var waits = delays.ToArray();
        Assert.Equal(3, waits.Length);
        Assert.InRange(waits[0].TotalMilliseconds, 200, 400);
        Assert.InRange(waits[1].TotalMilliseconds, 400, 800);
        Assert.InRange(waits[2].TotalMilliseconds, 500, 1000);
    }

    [Fact]
    public async Task TokenRequest_ServerErrorThenSuccess_SignsAFreshAssertionPerAttempt()
    {
        var n = 0;
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(Interlocked.Increment(ref n) < 3 ? new StandInResponse(500) : StandInResponse.Token("at", 1800)));
        using var client = TokenSourceTests.SecretClient(server, new ManualTimeProvider());

        await client.GetTokenAsync();

        var jtis = server.Requests.Select(r =>
        {
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(r.Form[OAuthParameters.ClientAssertion].Split('.')[1]));
            return doc.RootElement.GetProperty("jti").GetString();
        }).ToArray();
        Assert.Equal(3, jtis.Length);
        Assert.Equal(3, jtis.Distinct().Count());
    }

    public sealed record RefusalCase(string Name, int Status, string Error, string Description)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<RefusalCase> Refusals() => new()
    {
        new("invalid grant 400", 400, OAuthErrors.InvalidGrant, "condition not satisfied"),
        new("invalid request 400", 400, OAuthErrors.InvalidRequest, "client_assertion missing"),
        new("invalid client 401", 401, OAuthErrors.InvalidClient, "client authentication failed"),
        new("unsupported grant 400", 400, OAuthErrors.UnsupportedGrantType, "grant type not supported"),
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task TokenRequest_Refusal_IsNotRetriedAndCarriesTheServersError(RefusalCase c)
    {
        var delays = TokenSourceTests.RecordDelays(out var delay);
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(StandInResponse.OAuthError(c.Status, c.Error, c.Description)));
        using var client = TokenSourceTests.SecretClient(server, new ManualTimeProvider(), new RetryOptions { Delay = delay });

        var error = await Assert.ThrowsAsync<WifTokenRequestException>(async () => await client.GetTokenAsync());

        Assert.Single(server.Requests);
        Assert.Empty(delays);
        Assert.Equal((HttpStatusCode)c.Status, error.StatusCode);
        Assert.Equal(c.Error, error.Error);
        Assert.Equal(c.Description, error.ErrorDescription);
        Assert.Contains($"{c.Error}: {c.Description}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRequest_UnreachableServer_RaisesTransportErrorAfterBoundedAttempts()
    {
        var delays = TokenSourceTests.RecordDelays(out var delay);
        var port = FreePort.Next();
        using var client = WifClient.FromEnvironment(new()
        {
            ReadEnvironment = false,
            ClientId = TestSecrets.CredentialClientId,
            ClientSecret = TestSecrets.Create().Secret,
            ServerUrl = $"http://127.0.0.1:{port}",
            Retry = new RetryOptions { Delay = delay, MaxAttempts = 3 },
        });

        var error = await Assert.ThrowsAsync<WifTransportException>(async () => await client.GetTokenAsync());

        Assert.Equal(2, delays.Count);
        Assert.Contains($"127.0.0.1:{port}/auth/v1/token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRequest_MalformedSuccessBody_IsATypedError()
    {
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(new StandInResponse(200, """{"access_token":"x","token_type":"mac","expires_in":10}""")));
        using var client = TokenSourceTests.SecretClient(server, new ManualTimeProvider());

        var error = await Assert.ThrowsAsync<WifTokenRequestException>(async () => await client.GetTokenAsync());

        Assert.Contains("token_type is not Bearer", error.Message, StringComparison.Ordinal);
    }
}
