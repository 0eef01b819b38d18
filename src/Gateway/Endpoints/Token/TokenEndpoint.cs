using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.ClientCredentials;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.RateLimiting;
using WorkloadFederation.Gateway.Telemetry;

namespace WorkloadFederation.Gateway.Endpoints.Token;

/// <summary>
/// <c>POST /auth/v1/token</c>: owns HTTP only — rate limits, the size-limited form, grant dispatch, RFC 6749 §5.1/§5.2
/// responses with <c>Cache-Control: no-store</c>. The grant handlers decide and audit.
/// </summary>
internal static partial class TokenEndpoint
{
    private const string GrantUnknown = "unknown";

    /// <summary>Maps <c>POST /auth/v1/token</c>.</summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(EndpointPaths.Token, HandleAsync)
            .WithTags("Tokens")
            .Produces<TokenResponse>()
            .Produces<OAuthErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<OAuthErrorResponse>(StatusCodes.Status401Unauthorized)
            .Produces<OAuthErrorResponse>(StatusCodes.Status429TooManyRequests)
            .DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext http,
        TokenExchangeHandler exchange,
        ClientCredentialsHandler clientCredentials,
        TokenRateLimiter rateLimiter,
        ClientIpResolver clientIpResolver,
        RequestLimitOptions limits,
        IAuditSink audit,
        GatewayTelemetry telemetry,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = telemetry.ActivitySource.StartActivity("wif.token");
        // RFC 6749 §5.1: token responses must not be cached.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        var clientIp = clientIpResolver.Resolve(http);
        var ipText = clientIp?.ToString() ?? "unknown";

        if (rateLimiter.CheckSourceIp(ipText) is { } ipRefusal)
        {
            return TooMany(http, telemetry, ipRefusal, GrantUnknown, started);
        }

        var form = await FormBody.ReadAsync(http.Request, limits, cancellationToken);
        if (!form.Succeeded)
        {
            return Finish(telemetry, GrantUnknown, "invalid_request", started,
                Results.Json(form.Error, WireJson.Options, statusCode: form.Status));
        }

        var grantType = form[OAuthParameters.GrantType];
        if (string.IsNullOrEmpty(grantType))
        {
            return Error(telemetry, GrantUnknown, started, OAuthErrors.InvalidRequest, $"'{OAuthParameters.GrantType}' is required");
        }

        if (grantType is not (GrantTypes.TokenExchange or GrantTypes.ClientCredentials))
        {
            // RFC 6749 §5.2; the value is attacker-controlled and not echoed.
            return Error(telemetry, GrantUnknown, started, OAuthErrors.UnsupportedGrantType,
                $"the grant type is not supported; use '{GrantTypes.TokenExchange}' or '{GrantTypes.ClientCredentials}'");
        }

        var grant = grantType == GrantTypes.TokenExchange ? "token_exchange" : "client_credentials";
        activity?.SetTag("wif.grant", grant);
        var clientIdText = form[OAuthParameters.ClientId];
        if (ClientId.TryParse(clientIdText, out var clientId)
            && rateLimiter.CheckClient(clientId.Value, clientId.Tenant) is { } clientRefusal)
        {
            audit.Record(new TokenDecision(time.GetUtcNow(), clientId.Value, clientIp).Denied(DenialReasons.RateLimited, clientRefusal.Description));
            return TooMany(http, telemetry, clientRefusal, grant, started);
        }

        GrantResult result;
        if (grantType == GrantTypes.TokenExchange)
        {
            result = await exchange.HandleAsync(new TokenExchangeRequest(
                clientIdText, form[OAuthParameters.SubjectToken], form[OAuthParameters.SubjectTokenType], clientIp), cancellationToken);
        }
        else
        {
            result = await clientCredentials.HandleAsync(new ClientCredentialsRequest(
                clientIdText, form[OAuthParameters.ClientAssertionType], form[OAuthParameters.ClientAssertion],
                form[OAuthParameters.ClientSecret], clientIp), cancellationToken);
        }

        if (!result.Success)
        {
            activity?.SetTag("wif.reason", result.Reason);
            if (result.StatusCode == StatusCodes.Status401Unauthorized)
            {
                // RFC 6749 §5.2: invalid_client with 401 carries a WWW-Authenticate challenge.
                http.Response.Headers.WWWAuthenticate = "Bearer";
            }

            return Finish(telemetry, grant, result.Reason, started,
                Results.Json(result.ToErrorResponse(), WireJson.Options, statusCode: result.StatusCode));
        }

        return Finish(telemetry, grant, "issued", started, Results.Json(result.ToTokenResponse(), WireJson.Options));
    }

    private static IResult Error(GatewayTelemetry telemetry, string grant, long started, string error, string description) =>
        Finish(telemetry, grant, error, started,
            Results.Json(new OAuthErrorResponse(error, description), WireJson.Options, statusCode: StatusCodes.Status400BadRequest));

    private static IResult TooMany(HttpContext http, GatewayTelemetry telemetry, RateLimitRefusal refusal, string grant, long started)
    {
        telemetry.RateLimited(refusal.Scope.ToString());
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(refusal.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Finish(telemetry, grant, DenialReasons.RateLimited, started, Results.Json(
            new OAuthErrorResponse(OAuthErrors.TemporarilyUnavailable, refusal.Description), WireJson.Options,
            statusCode: StatusCodes.Status429TooManyRequests));
    }

    private static IResult Finish(GatewayTelemetry telemetry, string grant, string outcome, long started, IResult result)
    {
        telemetry.TokenRequest(grant, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }
}
