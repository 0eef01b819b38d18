using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.ServicePrincipals;

/// <summary><c>/api/v1/service-principals</c> (API.md).</summary>
internal static class ServicePrincipalEndpoints
{
    public const string Path = "/service-principals";
    public const string ObjectKind = "service_principal";

    /// <summary>Maps the service principal endpoints.</summary>
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup(Path).WithTags("Service principals");
        group.MapPost("/", CreateAsync).WithWireBody<CreateServicePrincipalRequest>().Produces<ServicePrincipalDto>(StatusCodes.Status201Created);
        group.MapGet("/", List).Produces<ServicePrincipalListDto>();
        group.MapGet("/{id}", Get).Produces<ServicePrincipalDto>();
        group.MapPatch("/{id}", UpdateAsync).WithWireBody<UpdateServicePrincipalRequest>().Produces<ServicePrincipalDto>();
        group.MapDelete("/{id}", DeleteAsync).Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>The wire shape of a service principal.</summary>
    public static ServicePrincipalDto ToDto(ServicePrincipal p) =>
        new(p.Id, p.DisplayName, p.Roles, p.Owners, p.Enabled, p.CreatedAt, p.UpdatedAt);

    /// <summary>The principal in the caller's tenant, or 404 (another tenant's object is never revealed).</summary>
    public static bool TryFind(AdminEnvironment env, CallerIdentity caller, string id, out ServicePrincipal principal)
    {
        principal = null!;
        return AdminValidation.IsPlausibleId(id) && env.Snapshot.TryGetPrincipal(caller.Tenant, id, out principal);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, AdminEnvironment env, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminPolicy.CanWriteConfiguration(caller))
        {
            return AdminError.Forbidden("Creating a service principal needs the Super Admin role.").ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<CreateServicePrincipalRequest>(http.Request, env.Limits, cancellationToken: ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        var request = body.Value!;
        var error = AdminValidation.DisplayName(request.DisplayName)
            ?? AdminValidation.Roles(request.Roles, "roles")
            ?? ValidateOwners(env, caller.Tenant, request.Owners, selfId: null);
        if (error is not null)
        {
            return error.ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        if (CountLimits.Principal(env.Snapshot, env.Limits, caller.Tenant) is { } countError)
        {
            return countError.ToResult();
        }

        var now = env.Now;
        var principal = new ServicePrincipal(
            AdminIds.New(AdminIds.ServicePrincipal), caller.Tenant, request.DisplayName!.Trim(),
            [.. request.Roles ?? []], [.. (request.Owners ?? []).Distinct(StringComparer.Ordinal)], Enabled: true, now, now);
        if (await env.WriteAsync(c => env.Store.SavePrincipalAsync(principal, c), "service principal", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        env.Audit(http, ObjectKind, "create", principal.Id, principalId: principal.Id);
        return Results.Json(ToDto(principal), Contracts.WireJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static IResult List(HttpContext http, AdminEnvironment env)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminPolicy.CanReadConfiguration(caller))
        {
            return AdminError.Forbidden("Listing service principals needs a read role.").ToResult();
        }

        var list = env.Snapshot.GetPrincipals(caller.Tenant).Select(ToDto).ToList();
        return Results.Json(new ServicePrincipalListDto(list), Contracts.WireJson.Options);
    }

    private static IResult Get(string id, HttpContext http, AdminEnvironment env)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!TryFind(env, caller, id, out var principal))
        {
            return AdminError.NotFound("service principal").ToResult();
        }

        return AdminPolicy.CanReadPrincipal(caller, principal)
            ? Results.Json(ToDto(principal), Contracts.WireJson.Options)
            : AdminError.Forbidden("Reading this service principal needs a read role or ownership.").ToResult();
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, AdminEnvironment env, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!TryFind(env, caller, id, out var principal))
        {
            return AdminError.NotFound("service principal").ToResult();
        }

        if (!AdminPolicy.CanWriteConfiguration(caller))
        {
            return AdminError.Forbidden("Changing a service principal needs the Super Admin role.").ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<UpdateServicePrincipalRequest>(
            http.Request, env.Limits, ["id", "created_at", "updated_at"], ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        if (!TryFind(env, caller, id, out principal))
        {
            return AdminError.NotFound("service principal").ToResult();
        }

        var request = body.Value!;
        var error = AdminValidation.DisplayName(request.DisplayName, required: false)
            ?? AdminValidation.Roles(request.Roles, "roles")
            ?? ValidateOwners(env, caller.Tenant, request.Owners, selfId: principal.Id)
            ?? GuardSelf(caller, principal, request);
        if (error is not null)
        {
            return error.ToResult();
        }

        var updated = principal with
        {
            DisplayName = request.DisplayName?.Trim() ?? principal.DisplayName,
            Enabled = request.Enabled ?? principal.Enabled,
            Roles = request.Roles is null ? principal.Roles : [.. request.Roles],
            Owners = request.Owners is null ? principal.Owners : [.. request.Owners.Distinct(StringComparer.Ordinal)],
            UpdatedAt = env.Now,
        };
        updated = TokenNotBefore.OnChange(principal, updated, env.Now);
        if (await env.WriteAsync(c => env.Store.SavePrincipalAsync(updated, c, expectedUpdatedAt: principal.UpdatedAt), "service principal", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        var verb = request.Enabled is { } enabled && enabled != principal.Enabled ? (enabled ? "enable" : "disable") : "update";
        env.Audit(http, ObjectKind, verb, updated.Id, principalId: updated.Id);
        return Results.Json(ToDto(updated), Contracts.WireJson.Options);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, AdminEnvironment env, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!TryFind(env, caller, id, out var principal))
        {
            return AdminError.NotFound("service principal").ToResult();
        }

        if (!AdminPolicy.CanWriteConfiguration(caller))
        {
            return AdminError.Forbidden("Deleting a service principal needs the Super Admin role.").ToResult();
        }

        if (principal.Id == caller.PrincipalId)
        {
            return AdminError.Conflict(ProblemCodes.Conflict, "A service principal cannot delete itself.").ToResult();
        }

        if (await env.WriteAsync(c => env.Store.DeletePrincipalAsync(caller.Tenant, principal.Id, c), "service principal", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        env.Audit(http, ObjectKind, "delete", principal.Id, principalId: principal.Id);
        return Results.NoContent();
    }

    private static AdminError? ValidateOwners(AdminEnvironment env, string tenant, IReadOnlyList<string>? owners, string? selfId)
    {
        if (owners is null)
        {
            return null;
        }

        if (owners.Count > AdminValidation.MaxOwners)
        {
            return AdminError.TooMany("owners", AdminValidation.MaxOwners);
        }

        for (var i = 0; i < owners.Count; i++)
        {
            var owner = owners[i];
            if (owner is null || owner == selfId || !AdminValidation.IsPlausibleId(owner) || !env.Snapshot.TryGetPrincipal(tenant, owner, out _))
            {
                return AdminError.Validation(ProblemCodes.ValidationFailed, $"owners[{i}]",
                    $"'owners[{i}]' is not another service principal of this tenant.");
            }
        }

        return null;
    }

    /// <summary>A caller may not lock itself out: no self-disable and no dropping its own Super Admin role.</summary>
    private static AdminError? GuardSelf(CallerIdentity caller, ServicePrincipal principal, UpdateServicePrincipalRequest request)
    {
        if (principal.Id != caller.PrincipalId)
        {
            return null;
        }

        if (request.Enabled == false)
        {
            return AdminError.Conflict(ProblemCodes.Conflict, "A service principal cannot disable itself.", "enabled");
        }

        return request.Roles is not null && !request.Roles.Contains(BuiltInRoles.SuperAdmin, StringComparer.Ordinal)
            ? AdminError.Conflict(ProblemCodes.Conflict, "A service principal cannot remove its own Super Admin role.", "roles")
            : null;
    }
}
