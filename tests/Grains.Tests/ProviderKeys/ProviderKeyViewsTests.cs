using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Federation.Tests.ProviderKeys;
using WorkloadFederation.Grains.ProviderKeys;
using WorkloadFederation.Storage;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Grains.Tests.ProviderKeys;

/// <summary>A silo's views on a controlled clock: idle eviction and the age bound, against a real provider grain.</summary>
public sealed class ProviderKeyViewsTests : IAsyncLifetime
{
    private static readonly ProviderViewOptions ViewOptions = ProviderViewOptions.Default;
    private readonly string _dir = Directory.CreateTempSubdirectory("wif-views-").FullName;
    private readonly ManualTimeProvider _time = new();
    private LocalIssuer _issuer = null!;
    private IFederationStore _stateStore = null!;
    private ProviderKeysCluster _cluster = null!;
    private ProviderKeyViews _views = null!;
    private ProviderKeySource _source = null!;

    public async Task InitializeAsync()
    {
        _issuer = await LocalIssuer.StartAsync();
        _issuer.JwksJson = TestKeys.JwksJson("k1");
        _stateStore = await ProviderKeysCluster.CreateStateStoreAsync(_dir);
        _cluster = await ProviderKeysCluster.StartAsync(1, _stateStore, ProviderKeyOptions.Default);
        var grains = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();
        _views = new ProviderKeyViews(grains, ProviderKeyOptions.Default, ViewOptions, _time, NullLogger<ProviderKeyViews>.Instance);
        _source = new ProviderKeySource("prv_views", _issuer.Issuer, null, DevelopmentIssuer: true) { Tenant = "acme.example.com" };
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _issuer.DisposeAsync();
        await _stateStore.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task RefreshDue_ViewUnusedLongerThanIdleEviction_IsDroppedAndUsedViewsStay()
    {
        var other = _source with { ProviderId = "prv_other" };
        Assert.True((await _views.ResolveAsync(_source, "k1", "RS256", CancellationToken.None)).IsFound);
        Assert.True((await _views.ResolveAsync(other, "k1", "RS256", CancellationToken.None)).IsFound);

        _time.Advance(ViewOptions.IdleEviction - TimeSpan.FromSeconds(30));
        Assert.True((await _views.ResolveAsync(other, "k1", "RS256", CancellationToken.None)).IsFound);
        _time.Advance(TimeSpan.FromMinutes(1));
        await _views.RefreshDueAsync(CancellationToken.None);

        Assert.Equal(1, _views.Count);
        Assert.Null(_views.GetState(_source.ProviderId));
        Assert.NotNull(_views.GetState(other.ProviderId));
    }

    [Fact]
    public async Task Resolve_KnownKeyOnAViewOlderThanItsTtl_AnswersAtOnceAndRenewsTheViewFromTheGrain()
    {
        Assert.True((await _views.ResolveAsync(_source, "k1", "RS256", CancellationToken.None)).IsFound);
        var requests = _issuer.JwksRequests;

        _time.Advance(ViewOptions.ViewTtl + TimeSpan.FromSeconds(1));
        Assert.True(_views.GetViewAge(_source.ProviderId) > ViewOptions.ViewTtl);
        var result = _views.ResolveAsync(_source, "k1", "RS256", CancellationToken.None);

        Assert.True(result.IsCompletedSuccessfully, "a known key is answered from the view without waiting for the renewal");
        Assert.True((await result).IsFound);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_views.GetViewAge(_source.ProviderId) > ViewOptions.ViewTtl)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the view is still {_views.GetViewAge(_source.ProviderId)} old after 30 s; expected a renewal");
            await Task.Delay(20);
        }

        // The renewal is a grain call, not an issuer fetch: the grain's keys are fresh.
        Assert.Equal(requests, _issuer.JwksRequests);
    }
}
