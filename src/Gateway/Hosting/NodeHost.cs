using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Problems;
using WorkloadFederation.Gateway.RateLimiting;
using WorkloadFederation.Gateway.Telemetry;
using WorkloadFederation.Gateway.DevIssuer;

namespace WorkloadFederation.Gateway.Hosting;

/// <summary>
/// The gateway's composition, as extension methods the program (<c>src/Silo</c>) calls in order: settings, the web
/// host (listen addresses, Kestrel limits), the services, the pipeline and the endpoints.
/// </summary>
public static class NodeHost
{
    public const string DevDefaultUrl = "http://127.0.0.1:5080";

    /// <summary>ASP.NET Core's listen address when none is configured (what the node had before a second listener).</summary>
    private const string DefaultUrl = "http://localhost:5000";

    /// <summary>
    /// Applies the listen addresses (dev default, dev requires loopback) and Kestrel's outer limits.
    /// </summary>
    public static WebApplicationBuilder ConfigureGatewayHost(this WebApplicationBuilder builder, NodeSettings settings)
    {
        // Framework request logs are noise at Information; the node's own events are kept.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        ApplyUrls(builder, settings);
        ConfigureKestrel(builder, settings);
        return builder;
    }

    /// <summary>Binds and validates every option section, throwing one exception that lists every problem.</summary>
    public static NodeSettings LoadSettings(IConfiguration configuration, bool requireKeyEncryptionKey = true)
    {
        var problems = new List<string>();
        var settings = NodeSettings.Bind(configuration, problems);
        problems.AddRange(settings.Validate(requireKeyEncryptionKey));
        if (problems.Count > 0)
        {
            throw new NodeConfigurationException(problems);
        }

        return settings;
    }

    private static void ApplyUrls(WebApplicationBuilder builder, NodeSettings settings)
    {
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        if (settings.Node.Dev && string.IsNullOrWhiteSpace(urls))
        {
            builder.WebHost.UseUrls(DevDefaultUrl);
            urls = DevDefaultUrl;
        }

        if (settings.Telemetry.MetricsListenUrl is { Length: > 0 } metricsUrl)
        {
            // The management listener is added beside the token URLs; it must never share a port with them.
            var tokenUrls = urls ?? PortsAsUrls(builder.Configuration) ?? DefaultUrl;
            var port = new Uri(metricsUrl).Port;
            var clashes = tokenUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(u => Uri.TryCreate(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var parsed) && parsed.Port == port)
                .Select(u => $"Telemetry:MetricsListenUrl must use a port of its own; {u} already listens on {port}.")
                .ToList();
            if (clashes.Count > 0)
            {
                throw new NodeConfigurationException(clashes);
            }

            urls = tokenUrls + ";" + metricsUrl;
            builder.WebHost.UseUrls(urls);
        }

        if (settings.Node.Dev && urls is not null)
        {
            // Dev mode trusts loopback http:// issuers and mints test tokens, so it refuses to start on a non-loopback address.
            var problems = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(u => !DevIssuerGuard.IsLoopbackUrl(u))
                .Select(u => $"--dev requires loopback listen addresses; '{u}' is not loopback.")
                .ToList();
            if (problems.Count > 0)
            {
                throw new NodeConfigurationException(problems);
            }
        }
    }

    /// <summary>ASP.NET Core's <c>HTTP_PORTS</c>/<c>HTTPS_PORTS</c> (set by the .NET container images) as listen URLs, or null.</summary>
    internal static string? PortsAsUrls(IConfiguration configuration)
    {
        static IEnumerable<string> Ports(string? value, string scheme) =>
            (value ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"{scheme}://*:{p}");

        var urls = Ports(configuration["HTTP_PORTS"], "http").Concat(Ports(configuration["HTTPS_PORTS"], "https")).ToList();
        return urls.Count > 0 ? string.Join(';', urls) : null;
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, NodeSettings settings)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = settings.Limits.MaxRequestHeadersBytes;
            // The endpoints enforce their own, smaller limits and name them; this is the outer bound.
            kestrel.Limits.MaxRequestBodySize = Math.Max(settings.Limits.MaxJsonBodyBytes, settings.Limits.MaxFormBodyBytes) * 2L;
        });
    }

    /// <summary>Registers the gateway's settings, telemetry, rate limits, readiness, OpenAPI and the federation services.</summary>
    public static IServiceCollection AddGatewayServices(this IServiceCollection services, NodeSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(settings.Node);
        services.AddSingleton(settings.Store);
        services.AddSingleton(settings.Tenancy);
        services.AddSingleton(settings.Network);
        services.AddSingleton(settings.Tokens);
        services.AddSingleton(settings.RateLimits);
        services.AddSingleton(settings.Limits);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<GatewayTelemetry>();
        services.AddSingleton<ClientIpResolver>();
        services.AddSingleton<TokenRateLimiter>();
        services.AddSingleton<RateLimitAudit>();
        services.AddSingleton<NodeReadiness>();
        services.AddOpenApi(OpenApiWire.Configure);
        // The OpenAPI document's schemas come from these options: the wire's own names and null handling.
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Contracts.WireJson.Options.PropertyNamingPolicy;
            o.SerializerOptions.DefaultIgnoreCondition = Contracts.WireJson.Options.DefaultIgnoreCondition;
            o.SerializerOptions.NumberHandling = Contracts.WireJson.Options.NumberHandling;
        });
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        NodeComposition.AddFederation(services, settings);
        return services;
    }

    /// <summary>The exception handler and the problem pages of the admin API.</summary>
    public static void UseGatewayPipeline(this WebApplication app)
    {
        app.UseGatewayExceptionHandler();
        // Bodiless 404/405 of the admin API (no route matched) become problems with a stable code.
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            if (!http.Request.Path.StartsWithSegments(EndpointPaths.AdminPrefix, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            var error = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => AdminError.NotFound("route"),
                StatusCodes.Status405MethodNotAllowed => new AdminError(StatusCodes.Status405MethodNotAllowed,
                    ProblemResults.Codes.MethodNotAllowed, "Method not allowed.", "This method is not allowed on this path."),
                _ => null,
            };
            return error is null ? Task.CompletedTask : ProblemResults.WriteAsync(http, error);
        });
    }

    /// <summary>Health, readiness, OpenAPI and every endpoint of the gateway.</summary>
    public static void MapGatewayEndpoints(this WebApplication app)
    {
        app.MapGet(EndpointPaths.Health, () => Results.Text("ok")).ExcludeFromDescription();
        app.MapGet(EndpointPaths.Ready, (NodeReadiness readiness) => readiness.IsReady
                ? Results.Text("ready")
                : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable))
            .ExcludeFromDescription();
        app.MapOpenApi(EndpointPaths.OpenApi);
        NodeComposition.MapFederation(app);
    }
}
