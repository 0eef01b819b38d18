using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.ClientCredentials;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Problems;
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

    // The metric reason of a request refused because the audit log did not catch up in time.
    private const string AuditBehind = "audit_behind";

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
        RateLimitAudit rateLimitAudit,
        ClientIpResolver clientIpResolver,
        RequestLimitOptions limits,
        IAuditBackPressure auditBackPressure,
        ProviderKeyOptions providerKeys,
        GatewayTelemetry telemetry,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = telemetry.ActivitySource.StartActivity("wif.token");
        // RFC 6749 §5.1: token responses must not be cached.
        NoStore.Apply(http.Response);
        var clientIp = clientIpResolver.Resolve(http);
        if (rateLimiter.CheckSource(clientIp) is { } ipRefusal)
        {
            return TooMany(http, telemetry, ipRefusal, GrantUnknown, started);
        }

        // A source that keeps failing is refused before its request is read. It has not authenticated, so, like the
        // per-source refusal above, it is counted in telemetry but written to no tenant's audit log (the client id it
        // would name is public) and spends nobody's budget.
        if (rateLimiter.CheckSourceFailures(clientIp) is { } failuresRefusal)
        {
            return TooMany(http, telemetry, failuresRefusal, GrantUnknown, started);
        }

        // Nothing is decided that the audit log cannot take: while it is behind, the request waits here (DESIGN.md
        // "Nothing is lost"); one that waited too long is refused before any check, so there is no decision to audit.
        if (!await auditBackPressure.WaitForRoomAsync(cancellationToken))
        {
            http.Response.Headers.RetryAfter = "1";
            return Finish(telemetry, GrantUnknown, AuditBehind, started, Results.Json(
                new OAuthErrorResponse(OAuthErrors.TemporarilyUnavailable, "the audit log is not keeping up; retry later"),
                WireJson.Options,
                statusCode: StatusCodes.Status429TooManyRequests));
        }

        var form = await FormBody.ReadAsync(http.Request, limits, cancellationToken);
        if (!form.Succeeded)
        {
            rateLimiter.ChargeFailure(clientIp);
            return Finish(telemetry, GrantUnknown, "invalid_request", started,
                Results.Json(form.Error, WireJson.Options, statusCode: form.Status));
        }

        var grantType = form[OAuthParameters.GrantType];
        if (string.IsNullOrEmpty(grantType))
        {
            rateLimiter.ChargeFailure(clientIp);
            return Error(telemetry, GrantUnknown, started, OAuthErrors.InvalidRequest, $"'{OAuthParameters.GrantType}' is required");
        }

        if (grantType is not (GrantTypes.TokenExchange or GrantTypes.ClientCredentials))
        {
            // RFC 6749 §5.2; the value is attacker-controlled and not echoed.
            rateLimiter.ChargeFailure(clientIp);
            return Error(telemetry, GrantUnknown, started, OAuthErrors.UnsupportedGrantType,
                $"the grant type is not supported; use '{GrantTypes.TokenExchange}' or '{GrantTypes.ClientCredentials}'");
        }

        var grant = grantType == GrantTypes.TokenExchange ? "token_exchange" : "client_credentials";
        activity?.SetTag("wif.grant", grant);
        var clientIdText = form[OAuthParameters.ClientId];
        var named = ClientId.TryParse(clientIdText, out var clientId);
        // A client id or tenant whose budget of issued tokens is spent is refused before its request is examined; the
        // refusal is charged to nobody's budget.
        if (named && rateLimiter.CheckClient(clientId.Value, clientId.Tenant) is { } refusal)
        {
            rateLimitAudit.Refused(clientId.Tenant, refusal, clientId.Value, clientIp?.ToString(), TokenRateLimiter.SourceKey(clientIp));
            return TooMany(http, telemetry, refusal, grant, started);
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
            if (result.StatusCode < StatusCodes.Status500InternalServerError)
            {
                // Unauthenticated: the source pays, never the client id or tenant the request named (they are public).
                rateLimiter.ChargeFailure(clientIp);
            }

            if (result.StatusCode == StatusCodes.Status401Unauthorized)
            {
                // RFC 6749 §5.2: invalid_client with 401 carries a WWW-Authenticate challenge.
                http.Response.Headers.WWWAuthenticate = "Bearer";
            }

            if (result.StatusCode == StatusCodes.Status503ServiceUnavailable)
            {
                // RFC 9110 §10.2.3: say when to come back — the key cache's own retry interval after a failed fetch.
                http.Response.Headers.RetryAfter = Seconds(providerKeys.ErrorRetryInterval);
            }

            return Finish(telemetry, grant, result.Reason, started,
                Results.Json(result.ToErrorResponse(), WireJson.Options, statusCode: result.StatusCode));
        }

        if (named)
        {
            rateLimiter.ChargeIssued(clientId.Value, clientId.Tenant);
        }

        return Finish(telemetry, grant, "issued", started, Results.Json(result.ToTokenResponse(), WireJson.Options));
    }

    private static IResult Error(GatewayTelemetry telemetry, string grant, long started, string error, string description) =>
        Finish(telemetry, grant, error, started,
            Results.Json(new OAuthErrorResponse(error, description), WireJson.Options, statusCode: StatusCodes.Status400BadRequest));

    private static IResult TooMany(HttpContext http, GatewayTelemetry telemetry, RateLimitRefusal refusal, string grant, long started)
    {
        telemetry.RateLimited(refusal.Scope.ToString());
        http.Response.Headers.RetryAfter = Seconds(refusal.RetryAfter);
        return Finish(telemetry, grant, DenialReasons.RateLimited, started, Results.Json(
            new OAuthErrorResponse(OAuthErrors.TemporarilyUnavailable, refusal.Description), WireJson.Options,
            statusCode: StatusCodes.Status429TooManyRequests));
    }

    /// <summary>A <c>Retry-After</c> delay in whole seconds, at least 1.</summary>
    private static string Seconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static IResult Finish(GatewayTelemetry telemetry, string grant, string outcome, long started, IResult result)
    {
        telemetry.TokenRequest(grant, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }
}
