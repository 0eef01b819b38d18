using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Telemetry;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Telemetry;

/// <summary>
/// The node's OpenTelemetry wiring through <c>OpenTelemetry.Extensions.Hosting</c>, in one place: the node's own
/// <c>wif.*</c> meters and activity sources, ASP.NET Core, HttpClient and runtime instrumentation, the OTLP exporter
/// (standard <c>OTEL_EXPORTER_OTLP_*</c> variables, or <c>Telemetry:OtlpEndpoint</c>) and the Prometheus scrape
/// endpoint on its own management listener (<c>Telemetry:MetricsListenUrl</c>).
/// <para>
/// What is collected is only <em>described</em> until an exporter asks for it: with no exporter configured no
/// <c>MeterProvider</c> or <c>TracerProvider</c> exists, nothing listens to the instruments and the hot path pays
/// nothing. A host that runs more components passes their meter and source names (Orleans: meter
/// <c>Microsoft.Orleans</c>, sources <c>Microsoft.Orleans.Runtime</c> and <c>Microsoft.Orleans.Application</c>)
/// to <see cref="AddNodeTelemetry"/>; the node's own names are <see cref="Meters"/> and <see cref="ActivitySources"/>.
/// </para>
/// </summary>
public static class NodeTelemetry
{
    /// <summary>The service name on every signal unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "workload-federation";

    /// <summary>The scrape path on the management listener.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The node's meters (every <c>wif.*</c> instrument lives in one of them; docs/operations.md lists them).</summary>
    public static IReadOnlyList<string> Meters { get; } = [GatewayTelemetry.Name, FederationTelemetry.Name];

    /// <summary>The node's activity sources.</summary>
    public static IReadOnlyList<string> ActivitySources { get; } = [GatewayTelemetry.Name, FederationTelemetry.Name];

    /// <summary>Paths never traced: probes and the scrape itself.</summary>
    private static readonly string[] UntracedPaths = [EndpointPaths.Health, EndpointPaths.Ready, MetricsPath];

    /// <summary>
    /// Describes what the node collects and turns on the configured exporters. Call once from the host, before
    /// <c>Build()</c>. <paramref name="extraMeters"/> and <paramref name="extraSources"/> add the host's own
    /// components (see the type's remarks).
    /// </summary>
    public static IServiceCollection AddNodeTelemetry(
        this IServiceCollection services,
        TelemetryOptions options,
        IConfiguration configuration,
        IEnumerable<string>? extraMeters = null,
        IEnumerable<string>? extraSources = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        string[] meters = [.. Meters, .. extraMeters ?? []];
        string[] sources = [.. ActivitySources, .. extraSources ?? []];

        // Registered always, applied only by a provider that an exporter creates (below, or a test's in-memory one).
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter(meters)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation());
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(sources)
            .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsUntraced(context.Request.Path))
            .AddHttpClientInstrumentation());

        var otlp = OtlpConfigured(options, configuration);
        var prometheus = options.MetricsListenUrl is { Length: > 0 };
        if (!otlp && !prometheus)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry();
        if (string.IsNullOrEmpty(configuration["OTEL_SERVICE_NAME"]))
        {
            telemetry.ConfigureResource(resource => resource.AddService(ServiceName));
        }

        if (prometheus)
        {
            telemetry.WithMetrics(metrics => metrics.AddPrometheusExporter());
        }

        if (otlp)
        {
            var endpoint = options.OtlpEndpoint is { Length: > 0 } configured ? new Uri(configured) : null;
            telemetry.WithMetrics(metrics => metrics.AddOtlpExporter(o => SetEndpoint(o, endpoint)));
            telemetry.WithTracing(tracing => tracing.AddOtlpExporter(o => SetEndpoint(o, endpoint)));
        }

        return services;
    }

    /// <summary>
    /// Maps <c>/metrics</c> on the management listener only, and answers 404 to anything else that listener
    /// receives, so that neither the scrape reaches the token port nor the token API the management port.
    /// </summary>
    public static void UseNodeTelemetry(this WebApplication app, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MetricsListenUrl is not { Length: > 0 } listen || !NodeSettings.TryParseMetricsListenUrl(listen, out var url))
        {
            return;
        }

        var port = url.Port;
        app.Use((context, next) =>
        {
            // Decided by the port the request arrived on; the route's host filter alone reads the caller's Host header.
            var onManagementPort = context.Connection.LocalPort == port;
            if (onManagementPort != context.Request.Path.Equals(MetricsPath, StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireHost($"*:{port}");
    }

    /// <summary>True when OTLP export is asked for, by the node's option or by the standard variables.</summary>
    private static bool OtlpConfigured(TelemetryOptions options, IConfiguration configuration) =>
        options.OtlpEndpoint is { Length: > 0 }
        || !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
        || !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]);

    // Only the node's own option overrides the endpoint; protocol, headers and timeouts come from OTEL_EXPORTER_OTLP_*.
    private static void SetEndpoint(OpenTelemetry.Exporter.OtlpExporterOptions exporter, Uri? endpoint)
    {
        if (endpoint is not null)
        {
            exporter.Endpoint = endpoint;
        }
    }

    private static bool IsUntraced(PathString path) =>
        Array.Exists(UntracedPaths, p => path.Equals(p, StringComparison.Ordinal));
}
