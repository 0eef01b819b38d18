using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using StackExchange.Redis;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Grains;
using WorkloadFederation.Grains.ProviderKeys;
using WorkloadFederation.Storage;

namespace WorkloadFederation.Silo.Cluster;

/// <summary>
/// The silo's Orleans configuration for each clustering mode: membership (localhost, Redis, Azure Table), endpoints,
/// the grain storage of non-catalog state (the catalog store, Redis, Azure Table) and the silo-local views.
/// </summary>
internal static class OrleansHosting
{
    /// <summary>Configures <paramref name="silo"/> for <paramref name="cluster"/>.</summary>
    public static void Configure(ISiloBuilder silo, SiloClusterOptions cluster, bool dev)
    {
        var advertised = cluster.AdvertisedIp(dev);
        switch (cluster.Clustering)
        {
            case ClusteringModes.Localhost:
                // One process: a free port unless one is configured, so several embedded nodes can run side by side.
                silo.UseLocalhostClustering(cluster.SiloPort ?? FreeLoopbackPort(), gatewayPort: 0, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                silo.Services.AddGrainStorage(GrainStorageNames.State, static (sp, _) =>
                    new StoreGrainStorage(sp.GetRequiredService<IFederationStore>(), sp.GetRequiredService<IGrainStorageSerializer>()));
                break;
            case ClusteringModes.Redis:
                ConfigureEndpoints(silo, cluster, advertised, dev);
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis!));
                silo.AddRedisGrainStorage(GrainStorageNames.State, o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis!));
                break;
            default:
                ConfigureEndpoints(silo, cluster, advertised, dev);
                silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(cluster.AzureStorage));
                silo.AddAzureTableGrainStorage(GrainStorageNames.State, o => o.TableServiceClient = new TableServiceClient(cluster.AzureStorage));
                break;
        }

        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ClusterReadiness>();
    }

    /// <summary>
    /// Replaces the node-local JWKS cache by this silo's views of the provider grains: one fetcher per provider for
    /// the whole cluster.
    /// </summary>
    public static void AddGrainViews(IServiceCollection services)
    {
        services.TryAddSingleton(ProviderViewOptions.Default);
        services.AddSingleton<IJwksFetcher>(sp => new HttpJwksFetcher(sp.GetRequiredService<ProviderKeyOptions>()));
        services.AddSingleton<ProviderKeyViews>();
        services.Replace(ServiceDescriptor.Singleton<IProviderKeyCache>(sp => sp.GetRequiredService<ProviderKeyViews>()));
    }

    private static void ConfigureEndpoints(ISiloBuilder silo, SiloClusterOptions cluster, IPAddress? advertised, bool dev)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = cluster.SiloPort ?? SiloClusterOptions.DefaultSiloPort;
            // The gateway endpoints are co-hosted: no external Orleans client connects, so no client gateway port.
            o.GatewayPort = 0;
            if (advertised is not null)
            {
                o.AdvertisedIPAddress = advertised;
            }

            if (dev)
            {
                o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Loopback, o.SiloPort);
            }
        });
    }

    private static int FreeLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
