using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Endpoints.Token;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Endpoints.Introspection;

/// <summary>
/// <c>POST /auth/v1/introspect</c> (RFC 7662) and <c>POST /auth/v1/revoke</c> (RFC 7009). The caller authenticates with a
/// bearer access token of this service; a token of another tenant is reported inactive and is never revoked.
/// </summary>
internal static class IntrospectionEndpoints
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>Maps introspection and revocation.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(EndpointPaths.Introspect, IntrospectAsync).WithTags("Tokens").Produces<IntrospectionResponse>()
            .DisableAntiforgery();
        app.MapPost(EndpointPaths.Revoke, RevokeAsync).WithTags("Tokens").Produces(StatusCodes.Status200OK)
            .DisableAntiforgery();
    }

    private static async Task<IResult> IntrospectAsync(
        HttpContext http, AccessTokenValidator validator, SnapshotHolder snapshots, RequestLimitOptions limits, CancellationToken ct)
    {
        var snapshot = snapshots.Current;
        var (caller, token, refusal) = await ReadAuthenticatedTokenFormAsync(http, validator, snapshot, limits, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        // RFC 7662 §4: the caller must be authorised to learn about the token — its own principal or an administrator
        // of the tenant; anyone else learns only "not active", as for a token that does not exist.
        var result = validator.Validate(token, snapshot);
        if (result.Identity is not { } identity || !AdminPolicy.CanIntrospect(caller, identity))
        {
            return Results.Json(new IntrospectionResponse(false), WireJson.Options);
        }

        return Results.Json(new IntrospectionResponse(
            true, identity.PrincipalId, identity.ClientId, identity.Tenant, null,
            identity.ExpiresAt.ToUnixTimeSeconds(), identity.IssuedAt.ToUnixTimeSeconds(), identity.Jti, identity.Roles,
            TokenTypes.Bearer), WireJson.Options);
    }

    private static async Task<IResult> RevokeAsync(
        HttpContext http, AccessTokenValidator validator, SnapshotHolder snapshots, ChangeFeedFollower follower,
        IConfigurationStore store, IAuditSink audit, ClientIpResolver clientIp, RequestLimitOptions limits, TimeProvider time,
        CancellationToken ct)
    {
        var snapshot = snapshots.Current;
        var (caller, token, refusal) = await ReadAuthenticatedTokenFormAsync(http, validator, snapshot, limits, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        // RFC 7009 §2.2: an invalid or unknown token is not an error. Only the token's own principal or a Super Admin
        // of the same tenant may revoke it.
        var result = validator.Validate(token, snapshot);
        if (result.Identity is { } target && target.Tenant == caller.Tenant
            && (target.PrincipalId == caller.PrincipalId || caller.Roles.Contains(BuiltInRoles.SuperAdmin, StringComparer.Ordinal)))
        {
            var now = time.GetUtcNow();
            var version = await store.SaveRevokedTokenAsync(new RevokedToken(target.Jti, target.Tenant, target.ExpiresAt, now), ct);
            await follower.CatchUpAsync(version, ct);
            audit.Record(new AuditEvent(now, AuditEventTypes.TokenRevoked, target.Tenant, AuditOutcomes.Succeeded, "revoked",
                PrincipalId: target.PrincipalId, CredentialId: target.CredentialId, TrustId: target.TrustId, ClientId: caller.ClientId,
                ClientIp: clientIp.Resolve(http)?.ToString(), Subject: caller.PrincipalId, Detail: $"jti {target.Jti}"));
        }

        return Results.Ok();
    }

    /// <summary>
    /// The part both endpoints share: <c>no-store</c>, the caller's bearer token (401 without one), the size-limited
    /// form, and its required <c>token</c> field. Exactly one of the identity and token pair or the refusal is set.
    /// </summary>
    private static async Task<(CallerIdentity Caller, string Token, IResult? Refusal)> ReadAuthenticatedTokenFormAsync(
        HttpContext http, AccessTokenValidator validator, FederationSnapshot snapshot, RequestLimitOptions limits, CancellationToken ct)
    {
        NoStore.Apply(http.Response);
        if (Authenticate(http, validator, snapshot) is not { } caller)
        {
            return (null!, string.Empty, Unauthorized(http));
        }

        var form = await FormBody.ReadAsync(http.Request, limits, ct);
        if (!form.Succeeded)
        {
            return (caller, string.Empty, Results.Json(form.Error, WireJson.Options, statusCode: form.Status));
        }

        return form[OAuthParameters.Token] is { Length: > 0 } token
            ? (caller, token, null)
            : (caller, string.Empty, Results.Json(new OAuthErrorResponse(OAuthErrors.InvalidRequest, "'token' is required"),
                WireJson.Options, statusCode: StatusCodes.Status400BadRequest));
    }

    private static CallerIdentity? Authenticate(HttpContext http, AccessTokenValidator validator, FederationSnapshot snapshot)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.Length > 8192)
        {
            return null;
        }

        return validator.Validate(header[BearerPrefix.Length..].Trim(), snapshot).Identity;
    }

    private static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Results.Json(new OAuthErrorResponse(OAuthErrors.InvalidClient, "a valid bearer access token of this tenant is required"),
            WireJson.Options, statusCode: StatusCodes.Status401Unauthorized);
    }
}
