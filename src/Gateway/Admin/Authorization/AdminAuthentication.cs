using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Problems;
using WorkloadFederation.Gateway.RateLimiting;
using WorkloadFederation.Gateway.Telemetry;

namespace WorkloadFederation.Gateway.Admin.Authorization;

/// <summary>
/// The admin API's authentication filter: a bearer access token issued by this service, validated on every request
/// against the current snapshot (a disabled principal, revoked credential or deleted trust stops working at once).
/// </summary>
internal sealed partial class AdminAuthentication(
    AccessTokenValidator validator,
    SnapshotHolder snapshots,
    TokenRateLimiter rateLimiter,
    ClientIpResolver clientIp,
    GatewayTelemetry telemetry,
    ILogger<AdminAuthentication> logger) : IEndpointFilter
{
    private const string BearerPrefix = "Bearer ";
    private const int MaxTokenLength = 8192;

    /// <summary>Authenticates the request, then runs the endpoint with the caller in <c>HttpContext.Items</c>.</summary>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        using var activity = telemetry.ActivitySource.StartActivity("wif.admin");
        http.Response.OnCompleted(() =>
        {
            telemetry.AdminRequest(http.Response.StatusCode);
            return Task.CompletedTask;
        });
        if (rateLimiter.CheckAdminSource(clientIp.Resolve(http)) is { } refusal)
        {
            telemetry.RateLimited("admin_ip");
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(refusal.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new AdminError(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests.",
                refusal.Description, Limit: $"{refusal.Limit} per minute").ToResult();
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Challenge(http, "A bearer access token is required.");
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.Length > BearerPrefix.Length + MaxTokenLength)
        {
            return Challenge(http, "The Authorization header must be 'Bearer <access token>'.");
        }

        var token = header[BearerPrefix.Length..].Trim();
        var result = validator.Validate(token, snapshots.Current);
        if (!result.IsActive)
        {
            Log.Refused(logger, result.Reason);
            return Challenge(http, "The access token is not valid or no longer active.");
        }

        http.Items[AdminEnvironment.CallerKey] = result.Identity;
        var answer = await next(context);
        return answer;
    }

    private static IResult Challenge(HttpContext http, string detail)
    {
        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return AdminError.Unauthenticated(detail).ToResult();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.AdminDenied, Level = LogLevel.Information, Message = "Admin request refused: token {Reason}")]
        public static partial void Refused(ILogger logger, string reason);
    }
}
