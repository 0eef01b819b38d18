using System.Net;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Tests.Snapshot;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Exchange;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Exchange_ParallelRequestsWhileTheTrustIsToggled_EachDecisionIsConsistent()
    {
        var fixture = new ExchangeFixture();
        var tokens = Enumerable.Range(0, 8).Select(_ => fixture.Token()).ToArray();
        using var stop = new CancellationTokenSource();
        var version = 3L;
        var toggler = Task.Run(() =>
        {
            var enabled = true;
            while (!stop.IsCancellationRequested)
            {
                enabled = !enabled;
                version++;
                var next = fixture.Holder.Current.Apply(new ChangeBatch(version, [TestEntities.Change(version, fixture.Trust with { Enabled = enabled })]));
                fixture.Holder.Publish(next);
            }
        });

        var workers = tokens.Select(token => Task.Run(async () =>
        {
            var outcomes = new List<string>();
            for (var i = 0; i < 100; i++)
            {
                var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(fixture.Trust.ClientId, token, TokenTypes.Jwt, IPAddress.Loopback), default);
                outcomes.Add(result.Success ? "issued" : result.Reason);
            }

            return outcomes;
        })).ToArray();

        var all = (await Task.WhenAll(workers)).SelectMany(o => o).ToList();
        stop.Cancel();
        await toggler;

        Assert.Equal(800, all.Count);
        Assert.All(all, o => Assert.Contains(o, new[] { "issued", DenialReasons.TrustDisabled }));
        Assert.Equal(800, fixture.Audit.Events.Count);
    }
}
