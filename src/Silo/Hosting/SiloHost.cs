using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Telemetry;
using WorkloadFederation.Silo.Cluster;

namespace WorkloadFederation.Silo.Hosting;

/// <summary>
/// Builds the node: one Orleans silo co-hosting the HTTP gateway (<c>builder.UseOrleans</c>). The one composition used
/// by Program.cs and by the integration tests (which start it on Kestrel, 127.0.0.1 and a free port).
/// </summary>
public static class SiloHost
{
    /// <summary>
    /// Creates the application from a parsed command line. <paramref name="configure"/> lets tests add configuration
    /// (after the command line, so it wins) and replace services.
    /// </summary>
    public static WebApplication Build(NodeCommandLine commandLine, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = commandLine.HostArgs });
        builder.Configuration.AddInMemoryCollection(commandLine.Settings);
        // Orleans reports its start-up configuration at Information: noise for an operator; its warnings are kept.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        configure?.Invoke(builder);

        var (settings, cluster) = LoadSettings(builder.Configuration);
        builder.ConfigureGatewayHost(settings);
        builder.Services.AddGatewayServices(settings);
        // Orleans' own meter and activity sources join the node's when an exporter is configured.
        builder.Services.AddNodeTelemetry(settings.Telemetry, builder.Configuration,
            extraMeters: ["Microsoft.Orleans"], extraSources: ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"]);
        OrleansHosting.AddGrainViews(builder.Services);
        builder.UseOrleans(silo => OrleansHosting.Configure(silo, cluster, settings.Node.Dev));

        var app = builder.Build();
        app.UseNodeTelemetry(settings.Telemetry);
        app.UseGatewayPipeline();
        app.MapGatewayEndpoints();
        return app;
    }

    /// <summary>Binds and validates the node's and the cluster's settings, throwing one exception naming every problem.</summary>
    public static (NodeSettings Node, SiloClusterOptions Cluster) LoadSettings(IConfiguration configuration)
    {
        var problems = new List<string>();
        var settings = NodeSettings.Bind(configuration, problems);
        problems.AddRange(settings.Validate());
        var cluster = SiloClusterOptions.Bind(configuration, problems);
        problems.AddRange(cluster.Validate(settings));
        if (problems.Count > 0)
        {
            throw new NodeConfigurationException(problems);
        }

        return (settings, cluster);
    }
}
