using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Grains.ProviderKeys;
using WorkloadFederation.Silo.Cluster;
using WorkloadFederation.Storage;
using WorkloadFederation.Storage.GrainState;

namespace WorkloadFederation.Grains.Tests.ProviderKeys;

/// <summary>
/// Several silos in this process (Orleans TestingHost), each with its own provider key views, sharing one embedded
/// store for grain state (as the silos of a cluster share their grain storage).
/// </summary>
internal sealed class ProviderKeysCluster : IAsyncDisposable
{
    private ProviderKeysCluster(InProcessTestCluster cluster) => Cluster = cluster;

    public InProcessTestCluster Cluster { get; }

    /// <summary>Each silo's views, in silo order.</summary>
    public IReadOnlyList<ProviderKeyViews> Views =>
        [.. Cluster.Silos.Where(s => s.IsActive).Select(s => s.ServiceProvider.GetRequiredService<ProviderKeyViews>())];

    public static async Task<ProviderKeysCluster> StartAsync(short silos, IGrainStateStore stateStore, ProviderKeyOptions keyOptions, ProviderViewOptions? viewOptions = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(keyOptions);
            silo.Services.AddSingleton(viewOptions ?? ProviderViewOptions.Default);
            silo.Services.AddSingleton<IJwksFetcher>(_ => new HttpJwksFetcher(keyOptions));
            silo.Services.AddSingleton<ProviderKeyViews>();
            silo.Services.AddGrainStorage(GrainStorageNames.State, (sp, _) =>
                new StoreGrainStorage(stateStore, sp.GetRequiredService<IGrainStorageSerializer>()));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ProviderKeysCluster(cluster);
    }

    /// <summary>A throw-away embedded store for grain state in <paramref name="directory"/>.</summary>
    public static async Task<IFederationStore> CreateStateStoreAsync(string directory)
    {
        var store = StoreFactory.CreateSqlite(directory + Path.DirectorySeparatorChar, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
