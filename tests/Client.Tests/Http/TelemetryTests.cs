using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Telemetry;
using WorkloadFederation.Client.Tests.Support;
using WorkloadFederation.Client.Tests.Tokens;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Client.Tests.Http;

public sealed class TelemetryTests
{
    [Fact]
    public async Task TokenRequests_AreCountedWithTheirOutcome()
    {
        var outcomes = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ClientTelemetry.Name && instrument.Name == "wif.client.token_requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcomes.Add((string)tag.Value!);
                }
            }
        });
        listener.Start();
        var n = 0;
        await using var server = await StandInServer.StartAsync(_ => Task.FromResult(Interlocked.Increment(ref n) == 1
            ? StandInResponse.Token("at", 1800)
            : StandInResponse.OAuthError(400, OAuthErrors.InvalidGrant, "credential revoked")));
        var time = new ManualTimeProvider();
        using var client = TokenSourceTests.SecretClient(server, time);

        await client.GetTokenAsync();
        time.Advance(TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<WifTokenRequestException>(async () => await client.GetTokenAsync());

        // Other tests run in parallel and use the same meter: this test's two outcomes are among those recorded.
        Assert.Contains("issued", outcomes);
        Assert.Contains(OAuthErrors.InvalidGrant, outcomes);
    }
}
