using System.Diagnostics;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Federation.Tests.ProviderKeys;
using WorkloadFederation.Grains.ProviderKeys;
using WorkloadFederation.Storage;

namespace WorkloadFederation.Grains.Tests.ProviderKeys;

/// <summary>
/// The provider grain as the one JWKS fetcher of a cluster: three silos in this process, a real issuer on loopback
/// that counts the requests it receives.
/// </summary>
public sealed class ProviderKeysGrainTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly ProviderKeyOptions KeyOptions = ProviderKeyOptions.Default with { FetchTimeout = TimeSpan.FromSeconds(15) };

    private readonly string _dir = Directory.CreateTempSubdirectory("wif-grains-").FullName;
    private LocalIssuer _issuer = null!;
    private IFederationStore _stateStore = null!;
    private ProviderKeySource _source = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync();
        _issuer.JwksJson = TestKeys.JwksJson("k1");
        _stateStore = await ProviderKeysCluster.CreateStateStoreAsync(_dir);
        _source = new ProviderKeySource("prv_one", _issuer.Issuer, null, DevelopmentIssuer: true) { Tenant = "acme.example.com" };
    }

    public async Task DisposeAsync()
    {
        await _issuer.DisposeAsync();
        await _stateStore.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task FirstUse_OnEverySiloOfThree_FetchesTheIssuerOnce()
    {
        await using var cluster = await ProviderKeysCluster.StartAsync(3, _stateStore, KeyOptions);

        await AssertEverySiloFindsAsync(cluster.Views, "k1");

        Assert.Equal(3, cluster.Views.Count);
        Assert.Equal(1, _issuer.DiscoveryRequests);
        Assert.Equal(1, _issuer.JwksRequests);
    }

    [Fact]
    public async Task NewKid_500ParallelRequestsAcrossThreeSilos_OneRefetch()
    {
        await using var cluster = await ProviderKeysCluster.StartAsync(3, _stateStore, KeyOptions);
        var views = cluster.Views;
        await AssertEverySiloFindsAsync(views, "k1");

        Assert.Equal(1, _issuer.JwksRequests);

        // The issuer rotates: tokens signed by k2 arrive on every silo at once.
        _issuer.JwksJson = TestKeys.JwksJson("k1", "k2");
        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(async () => await ResolveAsync(views[i % views.Count], "k2"))));

        Assert.All(results, r => Assert.Equal(ProviderKeyStatus.Found, r.Status));
        Assert.Equal(2, _issuer.JwksRequests);
    }

    [Fact]
    public async Task Refresh_ThreeSilosUsingOneProvider_OneFetchPerRefreshInterval()
    {
        // Scaled down from "10 minutes at a 1-minute interval": 6 s at a 1 s interval, so about 6 fetches, not 18.
        var options = KeyOptions with
        {
            MinRefreshInterval = TimeSpan.FromSeconds(1),
            DefaultRefreshInterval = TimeSpan.FromSeconds(1),
            RefreshTick = TimeSpan.FromMilliseconds(100),
        };
        await using var cluster = await ProviderKeysCluster.StartAsync(3, _stateStore, options);
        var views = cluster.Views;
        var watch = Stopwatch.StartNew();
        var requests = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(6))
        {
            foreach (var silo in views)
            {
                Assert.Equal(ProviderKeyStatus.Found, (await ResolveAsync(silo, "k1")).Status);
                requests++;
            }

            await Task.Delay(20);
        }

        var fetches = _issuer.JwksRequests;
        var seconds = watch.Elapsed.TotalSeconds;
        Assert.True(fetches >= 2 && fetches <= Math.Ceiling(seconds) + 2,
            $"expected about one fetch per second over {seconds:F1} s for the whole cluster ({requests} requests on 3 silos), saw {fetches}");

        // Every silo sees the same fetch history: the grain's, pushed to each view.
        await WaitUntilAsync(() => views.All(v => v.GetState(_source.ProviderId)?.FetchCount >= fetches), "every silo's view shows the grain's fetches");
    }

    [Fact]
    public async Task ClusterRestart_DuringIssuerOutage_KnownKeysStillServedFromGrainStorage()
    {
        var neverFetched = _source with { ProviderId = "prv_never" };
        await using (var first = await ProviderKeysCluster.StartAsync(3, _stateStore, KeyOptions))
        {
            Assert.Equal(ProviderKeyStatus.Found, (await ResolveAsync(first.Views[0], "k1")).Status);
            await WaitUntilAsync(async () => await _stateStore.ReadGrainStateAsync("provider-keys", "providerkeys/acme.example.com/prv_one", CancellationToken.None) is not null,
                "the last good keys persisted");
        }

        _issuer.Behaviour = IssuerBehaviour.Unavailable;
        var before = _issuer.JwksRequests + _issuer.DiscoveryRequests;
        await using var second = await ProviderKeysCluster.StartAsync(3, _stateStore, KeyOptions);

        await AssertEverySiloFindsAsync(second.Views, "k1");

        // The control: a provider with nothing persisted is unavailable while its issuer is down.
        var control = await second.Views[1].ResolveAsync(neverFetched, "k1", "RS256", CancellationToken.None);
        Assert.Equal(ProviderKeyStatus.Unavailable, control.Status);
        Assert.True(_issuer.JwksRequests + _issuer.DiscoveryRequests > before, "the restarted cluster tried the issuer (and failed)");
    }

    [Fact]
    public async Task Push_NewKeysFetchedForOneSilo_ReachTheViewsOfTheOthers()
    {
        await using var cluster = await ProviderKeysCluster.StartAsync(3, _stateStore, KeyOptions);
        var views = cluster.Views;
        await AssertEverySiloFindsAsync(views, "k1");

        _issuer.JwksJson = TestKeys.JwksJson("k1", "k3");
        Assert.Equal(ProviderKeyStatus.Found, (await ResolveAsync(views[0], "k3")).Status);

        var version = views[0].GetVersion(_source.ProviderId);
        await WaitUntilAsync(() => views.All(v => v.GetVersion(_source.ProviderId) == version), "silos 2 and 3 received the pushed view");
        Assert.Contains("k3", views[2].GetState(_source.ProviderId)!.KeyIds);
        Assert.Equal(2, _issuer.JwksRequests);
    }

    private async Task AssertEverySiloFindsAsync(IEnumerable<ProviderKeyViews> silos, string kid)
    {
        foreach (var views in silos)
        {
            Assert.Equal(ProviderKeyStatus.Found, (await ResolveAsync(views, kid)).Status);
        }
    }

    private ValueTask<ProviderKeyResult> ResolveAsync(ProviderKeyViews views, string kid) =>
        views.ResolveAsync(_source, kid, "RS256", CancellationToken.None);

    private static Task WaitUntilAsync(Func<bool> condition, string phase) => WaitUntilAsync(() => Task.FromResult(condition()), phase);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string phase)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {Bound.TotalSeconds} s waiting for: {phase}");
            }

            await Task.Delay(20);
        }
    }
}
