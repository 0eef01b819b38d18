using System.Buffers.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Network;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Admin.ServicePrincipals;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Credentials;

/// <summary><c>/api/v1/service-principals/{id}/credentials</c> (API.md).</summary>
internal static class CredentialEndpoints
{
    public const string ObjectKind = "credential";
    public const int DefaultExpiresInDays = 90;
    public const int MinExpiresInDays = 1;
    public const int MaxExpiresInDays = 180;
    private const int ClientIdAttempts = 5;

    /// <summary>Fields that can never change after creation (API.md: "any attempt to change expiry → 400").</summary>
    /// <summary>How a credential is found below its principal.</summary>
    internal static readonly PrincipalChild<Credential> Children = new(
        "credential", static (FederationSnapshot s, string tenant, string id, out Credential child) => s.TryGetCredential(tenant, id, out child), c => c.PrincipalId);

    private static readonly string[] ImmutableFields =
        ["expires_in_days", "expires_at", "client_id", "public_key_jwk", "id", "service_principal_id", "created_at", "revoked"];

    /// <summary>Maps the credential endpoints below a service principal.</summary>
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup(ServicePrincipalEndpoints.Path + "/{id}/credentials").WithTags("Credentials");
        group.MapPost("/", CreateAsync).WithWireBody<CreateCredentialRequest>().Produces<CredentialDto>(StatusCodes.Status201Created);
        group.MapGet("/", List).Produces<CredentialListDto>();
        group.MapGet("/{cid}", Get).Produces<CredentialDto>();
        group.MapPatch("/{cid}", UpdateAsync).WithWireBody<UpdateCredentialRequest>().Produces<CredentialDto>();
        group.MapDelete("/{cid}", RevokeAsync).Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>The wire shape; <paramref name="secret"/> only in the creation response.</summary>
    public static CredentialDto ToDto(Credential c, string? secret = null) =>
        new(c.Id, c.PrincipalId, c.ClientId, c.DisplayName, c.ExpiresAt, c.IpAllowlist, c.ScopedRoles,
            new PublicJwkDto("OKP", "Ed25519", Base64Url.EncodeToString(c.PublicKey)), c.RevokedAt is not null,
            c.CreatedAt, c.UpdatedAt, secret);

    private static async Task<IResult> CreateAsync(string id, HttpContext http, AdminEnvironment env, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!ServicePrincipalEndpoints.TryFind(env, caller, id, out var principal))
        {
            return AdminError.NotFound("service principal").ToResult();
        }

        if (!AdminPolicy.CanManageChildren(caller, principal))
        {
            return AdminError.Forbidden("Creating a credential needs the Super Admin role or ownership of the principal.").ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<CreateCredentialRequest>(http.Request, env.Limits, cancellationToken: ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        var request = body.Value!;
        var days = request.ExpiresInDays ?? DefaultExpiresInDays;
        var error = AdminValidation.DisplayName(request.DisplayName)
            ?? (days is < MinExpiresInDays or > MaxExpiresInDays
                ? AdminError.Validation(ProblemCodes.LimitExceeded, "expires_in_days",
                    $"'expires_in_days' must be between {MinExpiresInDays} and {MaxExpiresInDays}.", $"{MinExpiresInDays}..{MaxExpiresInDays}")
                : null)
            ?? AdminValidation.ScopedRoles(request.ScopedRoles, principal.Roles)
            ?? ChildGrants.WithinCallerRoles(caller, principal, request.ScopedRoles, "Creating this credential");
        if (error is not null)
        {
            return error.ToResult();
        }

        if (!AdminIpAllowlist.TryParse(request.IpAllowlist, out var allowlist, out var ipError))
        {
            return ipError.ToResult();
        }

        byte[]? suppliedKey = null;
        if (request.PublicKeyJwk is { } jwk && !TryReadPublicJwk(jwk, out suppliedKey, out var jwkError))
        {
            return jwkError.ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        var now = env.Now;
        if (CountLimits.Credential(env.Snapshot, env.Limits, caller.Tenant, principal.Id, now) is { } countError)
        {
            return countError.ToResult();
        }

        var credentialId = AdminIds.New(AdminIds.Credential);
        GeneratedCredentialKey? generated = suppliedKey is null ? CredentialSecrets.Generate(caller.Tenant, credentialId) : null;
        var publicKey = suppliedKey ?? generated!.PublicKey;
        Credential? credential = null;
        AdminError? writeError = null;
        for (var attempt = 0; attempt < ClientIdAttempts; attempt++)
        {
            credential = new Credential(
                credentialId, caller.Tenant, principal.Id, ClientIdGenerator.NewClientId(caller.Tenant, ClientIdKind.Credential),
                request.DisplayName!.Trim(), publicKey, now.AddDays(days), allowlist, [.. request.ScopedRoles ?? []],
                RevokedAt: null, now, now);
            var toSave = credential;
            writeError = await env.WriteAsync(c => env.Store.SaveCredentialAsync(toSave, c), "credential", ct);
            if (writeError is null || writeError.Code != ProblemCodes.Conflict)
            {
                break;
            }
        }

        if (writeError is not null)
        {
            return writeError.ToResult();
        }

        env.Audit(http, ObjectKind, "create", credential!.Id, principalId: principal.Id, credentialId: credential.Id);
        // The answer carries the private key: no cache (a proxy's, the browser's) may keep it (RFC 9111 §5.2.2.5).
        NoStore.Apply(http.Response);
        return Results.Json(ToDto(credential, generated?.Secret), WireJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static IResult List(string id, HttpContext http, AdminEnvironment env)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!ServicePrincipalEndpoints.TryFind(env, caller, id, out var principal))
        {
            return AdminError.NotFound("service principal").ToResult();
        }

        if (!AdminPolicy.CanReadPrincipal(caller, principal))
        {
            return AdminError.Forbidden("Listing credentials needs a read role or ownership of the principal.").ToResult();
        }

        var list = env.Snapshot.GetCredentials(caller.Tenant, principal.Id).Select(c => ToDto(c)).ToList();
        return Results.Json(new CredentialListDto(list), WireJson.Options);
    }

    private static IResult Get(string id, string cid, HttpContext http, AdminEnvironment env)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!Children.TryFind(env, caller.Tenant, id, cid, out var principal, out var credential))
        {
            return AdminError.NotFound("credential").ToResult();
        }

        return AdminPolicy.CanReadPrincipal(caller, principal)
            ? Results.Json(ToDto(credential), WireJson.Options)
            : AdminError.Forbidden("Reading a credential needs a read role or ownership of the principal.").ToResult();
    }

    private static async Task<IResult> UpdateAsync(string id, string cid, HttpContext http, AdminEnvironment env, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (Children.FindForChange(env, caller, id, cid, "Changing a credential", out var principal, out var credential) is { } denied)
        {
            return denied.ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<UpdateCredentialRequest>(http.Request, env.Limits, ImmutableFields, ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        if (Children.FindAgain(env, caller.Tenant, id, cid, out principal, out credential) is { } gone)
        {
            return gone.ToResult();
        }

        var request = body.Value!;
        var error = AdminValidation.DisplayName(request.DisplayName, required: false)
            ?? AdminValidation.ScopedRoles(request.ScopedRoles, principal.Roles)
            ?? ChildGrants.WithinCallerRoles(caller, principal, request.ScopedRoles ?? credential.ScopedRoles, "Changing this credential");
        if (error is not null)
        {
            return error.ToResult();
        }

        IReadOnlyList<string> allowlist = credential.IpAllowlist;
        if (request.IpAllowlist is not null && !AdminIpAllowlist.TryParse(request.IpAllowlist, out allowlist, out var ipError))
        {
            return ipError.ToResult();
        }

        var updated = credential with
        {
            DisplayName = request.DisplayName?.Trim() ?? credential.DisplayName,
            IpAllowlist = allowlist,
            ScopedRoles = request.ScopedRoles is null ? credential.ScopedRoles : [.. request.ScopedRoles],
            UpdatedAt = env.Now,
        };
        if (await env.WriteAsync(c => env.Store.SaveCredentialAsync(updated, c, expectedUpdatedAt: credential.UpdatedAt), "credential", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        env.Audit(http, ObjectKind, "update", updated.Id, principalId: principal.Id, credentialId: updated.Id);
        return Results.Json(ToDto(updated), WireJson.Options);
    }

    private static async Task<IResult> RevokeAsync(string id, string cid, HttpContext http, AdminEnvironment env, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (Children.FindForChange(env, caller, id, cid, "Revoking a credential", out var principal, out var credential) is { } denied)
        {
            return denied.ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        if (Children.FindAgain(env, caller.Tenant, id, cid, out principal, out credential) is { } gone)
        {
            return gone.ToResult();
        }

        if (credential.RevokedAt is null)
        {
            var revoked = TokenNotBefore.Revoke(credential, env.Now);
            if (await env.WriteAsync(c => env.Store.SaveCredentialAsync(revoked, c, expectedUpdatedAt: credential.UpdatedAt), "credential", ct) is { } writeError)
            {
                return writeError.ToResult();
            }

            env.Audit(http, ObjectKind, "revoke", credential.Id, principalId: principal.Id, credentialId: credential.Id);
        }

        return Results.NoContent();
    }


    private static bool TryReadPublicJwk(PublicJwkDto jwk, out byte[]? key, out AdminError error)
    {
        key = null;
        error = null!;
        if (jwk.Kty != "OKP" || jwk.Crv != "Ed25519")
        {
            error = AdminError.Validation(ProblemCodes.ValidationFailed, "public_key_jwk",
                "'public_key_jwk' must be an Ed25519 public key: {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":...}.");
            return false;
        }

        var x = jwk.X ?? string.Empty;
        if (x.Length > 64 || !Base64UrlStrict.TryDecode(x, out var decoded)
            || decoded.Length != Ed25519Keys.KeySize || Ed25519Keys.ParsePublicKey(decoded) is null)
        {
            error = AdminError.Validation(ProblemCodes.ValidationFailed, "public_key_jwk.x",
                "'public_key_jwk.x' must be the 32-byte Ed25519 public key in base64url without padding.");
            return false;
        }

        key = decoded;
        return true;
    }
}
