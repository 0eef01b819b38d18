using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.OAuth;

using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.DevIssuer;

/// <summary>
/// The development OIDC issuer of dev mode (API.md "--dev"), under <c>/dev/oidc</c>: discovery, JWKS and
/// <c>POST /dev/oidc/token</c>. Call <see cref="DevIssuerGuard.EnsureLoopbackOnly"/> with the node's listening
/// addresses before enabling it; every endpoint also answers loopback callers only.
/// </summary>
public static partial class DevIssuerEndpoints
{
    /// <summary>Path of the JWKS below the issuer.</summary>
    public const string JwksPath = "/jwks";

    /// <summary>Path of the token endpoint below the issuer.</summary>
    public const string TokenPath = "/token";

    private const string JsonContentType = "application/json";

    /// <summary>Registers the development issuer (an RSA-2048 key generated in memory for this process).</summary>
    public static IServiceCollection AddDevIssuer(this IServiceCollection services, Action<DevIssuerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new DevIssuerOptions();
        configure?.Invoke(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid development issuer options: " + string.Join(" ", problems));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<DevIssuerKey>();
        services.AddSingleton<DevIssuerService>();
        return services;
    }

    /// <summary>Maps the development issuer's endpoints under <c>/dev/oidc</c>.</summary>
    public static IEndpointRouteBuilder MapDevIssuer(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(EndpointPaths.DevOidcPrefix).ExcludeFromDescription();
        group.MapGet("/.well-known/openid-configuration", Discovery);
        group.MapGet(JwksPath, Jwks);
        group.MapPost(TokenPath, TokenAsync);
        return endpoints;
    }

    private static IResult Discovery(HttpContext context, DevIssuerService issuer)
    {
        if (Refusal(context, issuer, out var url) is { } refused)
        {
            return refused;
        }

        return Results.Text(issuer.DiscoveryJson(url!), JsonContentType);
    }

    private static IResult Jwks(HttpContext context, DevIssuerService issuer)
    {
        if (Refusal(context, issuer, out _) is { } refused)
        {
            return refused;
        }

        return Results.Text(issuer.JwksJson, JsonContentType);
    }

    private static async Task<IResult> TokenAsync(HttpContext context, DevIssuerService issuer, DevIssuerOptions options, ILoggerFactory loggers)
    {
        if (Refusal(context, issuer, out var url) is { } refused)
        {
            return refused;
        }

        var request = context.Request;
        if (request.ContentType is null || !request.ContentType.StartsWith(JsonContentType, StringComparison.OrdinalIgnoreCase))
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "The body must be application/json.");
        }

        if (request.ContentLength > options.MaxRequestBytes)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"The body is over the limit of {options.MaxRequestBytes} bytes.");
        }

        var body = await ReadBoundedAsync(request.Body, options.MaxRequestBytes, context.RequestAborted);
        if (body is null)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"The body is over the limit of {options.MaxRequestBytes} bytes.");
        }

        DevTokenRequest? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<DevTokenRequest>(body, WireJson.Options);
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "The body is not a valid token request" + (ex.Path is { Length: > 1 } path ? $" (at {path})." : "."));
        }

        if (parsed is null)
        {
            return Error(StatusCodes.Status400BadRequest, "The body must be a JSON object.");
        }

        var result = issuer.Mint(url!, parsed);
        if (result.Response is not { } response)
        {
            return Error(StatusCodes.Status400BadRequest, result.Error!);
        }

        Log.Minted(loggers.CreateLogger(typeof(DevIssuerEndpoints).FullName!), parsed.Preset ?? "none", response.ExpiresIn);
        NoStore.Apply(context.Response);
        return Results.Json(response, WireJson.Options);
    }

    // Loopback callers only (defence in depth beside the start-up check), and only once an issuer URL is known.
    private static IResult? Refusal(HttpContext context, DevIssuerService issuer, out string? url)
    {
        url = null;
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return Error(StatusCodes.Status403Forbidden, "The development issuer answers loopback callers only.");
        }

        url = issuer.Issuer;
        return url is null
            ? Error(StatusCodes.Status503ServiceUnavailable, "The development issuer has no loopback http address to serve from.")
            : null;
    }

    private static IResult Error(int status, string description) =>
        Results.Json(new OAuthErrorResponse(OAuthErrors.InvalidRequest, description), WireJson.Options, statusCode: status);

    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "Development issuer minted a token (preset {Preset}, lifetime {LifetimeSeconds} s).")]
        public static partial void Minted(ILogger logger, string preset, int lifetimeSeconds);
    }
}
