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
        var toggling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Its own thread: the workers may complete synchronously and hold every pool thread, which on a two-core
        // machine starved a pool-scheduled toggler until the workers had finished (the toggle then never interleaved).
        var toggler = Task.Factory.StartNew(() =>
        {
            var enabled = true;
            while (!stop.IsCancellationRequested)
            {
                enabled = !enabled;
                version++;
                var next = fixture.Holder.Current.Apply(new ChangeBatch(version, [TestEntities.Change(version, fixture.Trust with { Enabled = enabled })]));
                fixture.Holder.Publish(next);
                if (version == 5)
                {
                    toggling.TrySetResult();
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await toggling.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // At least 100 requests per worker, and on until both outcomes were seen (bounded): a run in which the toggle
        // never interleaved with the requests would prove nothing about consistency under change.
        var issued = 0;
        var disabled = 0;
        var workers = tokens.Select(token => Task.Run(async () =>
        {
            var outcomes = new List<string>();
            for (var i = 0; i < 5_000 && (i < 100 || Volatile.Read(ref issued) == 0 || Volatile.Read(ref disabled) == 0); i++)
            {
                await Task.Yield();
                var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(fixture.Trust.ClientId, token, TokenTypes.Jwt, IPAddress.Loopback), default);
                outcomes.Add(result.Success ? "issued" : result.Reason);
                _ = result.Success ? Interlocked.Increment(ref issued) : Interlocked.Increment(ref disabled);
            }

            return outcomes;
        })).ToArray();

        var all = (await Task.WhenAll(workers)).SelectMany(o => o).ToList();
        stop.Cancel();
        await toggler;

        Assert.True(all.Count >= 800, $"{all.Count} requests");
        Assert.All(all, o => Assert.Contains(o, new[] { "issued", DenialReasons.TrustDisabled }));
        Assert.Contains("issued", all);
        Assert.Contains(DenialReasons.TrustDisabled, all);
        Assert.Equal(all.Count, fixture.Audit.Events.Count);
    }
}
