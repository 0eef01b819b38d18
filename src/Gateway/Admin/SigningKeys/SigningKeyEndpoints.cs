using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WorkloadFederation.Contracts;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.SigningKeys;

/// <summary>The result of a rotation: the new active key; the previous ones stay published until their tokens expire.</summary>
public sealed record SigningKeyRotationDto(string ActiveKeyId, IReadOnlyList<string> PublishedKeyIds);

/// <summary>
/// <c>POST /api/v1/signing-keys/rotate</c> (key rotation on demand, e.g. after a suspected key compromise). The keys sign the tokens of
/// every tenant of the deployment, so this is an operator action: only a Super Admin of the deployment's default
/// tenant (<c>Tenancy:DefaultTenant</c>) may rotate; another tenant's Super Admin gets 403 and nothing changes.
/// </summary>
internal static class SigningKeyEndpoints
{
    public const string ObjectKind = "signing_key";

    /// <summary>Maps the rotation endpoint.</summary>
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/signing-keys/rotate", RotateAsync).WithTags("Signing keys").Produces<SigningKeyRotationDto>();

    private static async Task<IResult> RotateAsync(HttpContext http, AdminEnvironment env, SigningKeyManager keys, ChangeFeedFollower follower, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminPolicy.CanWriteConfiguration(caller))
        {
            return AdminError.Forbidden("Rotating the signing keys needs the Super Admin role.").ToResult();
        }

        // Deployment-wide effect: one tenant must not act on every tenant's keys.
        if (!string.Equals(caller.Tenant, env.Settings.Tenancy.DefaultTenant, StringComparison.Ordinal))
        {
            return AdminError.Forbidden("Rotating the signing keys is an operator action of the deployment's default tenant.").ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        var (keyId, version) = await keys.RotateAsync(env.Snapshot, ct);
        await follower.CatchUpAsync(version, ct);
        env.Audit(http, ObjectKind, "rotate", keyId);
        var ring = env.Snapshot.SigningKeys;
        return Results.Json(new SigningKeyRotationDto(ring.Active?.KeyId ?? keyId, [.. ring.PublishedKeyIds]), WireJson.Options);
    }
}
