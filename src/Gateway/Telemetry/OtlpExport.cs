using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Telemetry;

/// <summary>
/// Wires the OpenTelemetry SDK's OTLP exporter for the gateway's source and meter, only when an endpoint is configured.
/// The providers are singletons disposed (and flushed) with the service provider.
/// </summary>
internal static class OtlpExport
{
    public static IServiceCollection AddOtlpExportIfConfigured(this IServiceCollection services, TelemetryOptions options)
    {
        if (options.OtlpEndpoint is not { Length: > 0 } endpoint)
        {
            return services;
        }

        var uri = new Uri(endpoint);
        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .AddSource(GatewayTelemetry.Name)
            .AddOtlpExporter(o => { o.Endpoint = uri; o.Protocol = OtlpExportProtocol.Grpc; })
            .Build());
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .AddMeter(GatewayTelemetry.Name)
            .AddOtlpExporter(o => { o.Endpoint = uri; o.Protocol = OtlpExportProtocol.Grpc; })
            .Build());
        services.AddHostedService<OtlpActivation>();
        return services;
    }

    /// <summary>Resolves the providers at start so that they begin listening.</summary>
    private sealed class OtlpActivation(TracerProvider tracer, MeterProvider meter) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = tracer;
            _ = meter;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracer.ForceFlush(2000);
            meter.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }
}
