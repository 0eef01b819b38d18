using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Admin.ServicePrincipals;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Trusts;

/// <summary><c>/api/v1/service-principals/{id}/trusts</c> (API.md).</summary>
internal static partial class TrustEndpoints
{
    public const string ObjectKind = "trust";
    public const int MaxConditionBytes = 1024;
    public const int MaxAudienceLength = 512;
    public const int MinLifetimeSeconds = 60;
    public const int MaxLifetimeSeconds = 3600;
    private const int ClientIdAttempts = 5;

    /// <summary>How a trust is found below its principal.</summary>
    internal static readonly PrincipalChild<Trust> Children = new(
        "trust", static (FederationSnapshot s, string tenant, string id, out Trust child) => s.TryGetTrust(tenant, id, out child), c => c.PrincipalId);

    private static readonly string[] ImmutableFields = ["provider_id", "client_id", "id", "service_principal_id", "created_at"];

    /// <summary>Maps the trust endpoints below a service principal, with the test runner.</summary>
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup(ServicePrincipalEndpoints.Path + "/{id}/trusts").WithTags("Trusts");
        group.MapPost("/", CreateAsync).WithWireBody<CreateTrustRequest>().Produces<TrustDto>(StatusCodes.Status201Created);
        group.MapGet("/", List).Produces<TrustListDto>();
        group.MapGet("/{tid}", Get).Produces<TrustDto>();
        group.MapPatch("/{tid}", UpdateAsync).WithWireBody<UpdateTrustRequest>().Produces<TrustDto>();
        group.MapDelete("/{tid}", DeleteAsync).Produces(StatusCodes.Status204NoContent);
        group.MapPost("/{tid}/test", TestAsync).WithWireBody<TrustTestRequest>().Produces<TrustTestResultDto>();

    }

    /// <summary>The wire shape of a trust.</summary>
    public static TrustDto ToDto(Trust t) =>
        new(t.Id, t.PrincipalId, t.ProviderId, t.ClientId, t.DisplayName, t.Condition, t.Audience, t.IpAllowlist,
            t.ScopedRoles, t.Enabled, t.TokenLifetimeSeconds, t.CreatedAt, t.UpdatedAt);

    private static async Task<IResult> CreateAsync(string id, HttpContext http, AdminEnvironment env, ITrustConditionCompiler compiler, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!ServicePrincipalEndpoints.TryFind(env, caller, id, out var principal))
        {
            return AdminError.NotFound("service principal").ToResult();
        }

        if (!AdminPolicy.CanManageChildren(caller, principal))
        {
            return AdminError.Forbidden("Creating a trust needs the Super Admin role or ownership of the principal.").ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<CreateTrustRequest>(http.Request, env.Limits, ["client_id"], ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        var request = body.Value!;
        var error = AdminValidation.DisplayName(request.DisplayName)
            ?? ValidateProvider(env, caller.Tenant, request.ProviderId)
            ?? ValidateCondition(compiler, request.Condition, required: true)
            ?? ValidateAudience(request.Audience)
            ?? AdminValidation.ScopedRoles(request.ScopedRoles, principal.Roles)
            ?? ValidateLifetime(request.TokenLifetimeSeconds)
            ?? ChildGrants.WithinCallerRoles(caller, principal, request.ScopedRoles, "Creating this trust");
        if (error is not null)
        {
            return error.ToResult();
        }

        if (!AdminIpAllowlist.TryParse(request.IpAllowlist, out var allowlist, out var ipError))
        {
            return ipError.ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        if ((CountLimits.Trust(env.Snapshot, env.Limits, caller.Tenant, principal.Id)
            ?? CountLimits.ConditionBytes(env.Snapshot, env.Limits, caller.Tenant, request.Condition!)) is { } countError)
        {
            return countError.ToResult();
        }

        var now = env.Now;
        Trust? trust = null;
        AdminError? writeError = null;
        for (var attempt = 0; attempt < ClientIdAttempts; attempt++)
        {
            trust = new Trust(
                AdminIds.New(AdminIds.Trust), caller.Tenant, principal.Id, request.ProviderId!,
                ClientIdGenerator.NewClientId(caller.Tenant, ClientIdKind.Trust), request.DisplayName!.Trim(), request.Condition!,
                string.IsNullOrEmpty(request.Audience) ? caller.Tenant : request.Audience, allowlist, [.. request.ScopedRoles ?? []],
                request.Enabled ?? true, request.TokenLifetimeSeconds ?? env.Settings.Tokens.ExchangeLifetimeSeconds, now, now);
            var toSave = trust;
            writeError = await env.WriteAsync(c => env.Store.SaveTrustAsync(toSave, c), "trust", ct);
            if (writeError is null || writeError.Code != ProblemCodes.Conflict)
            {
                break;
            }
        }

        if (writeError is not null)
        {
            return writeError.ToResult();
        }

        env.Audit(http, ObjectKind, "create", trust!.Id, principalId: principal.Id, trustId: trust.Id);
        return Results.Json(ToDto(trust), WireJson.Options, statusCode: StatusCodes.Status201Created);
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
            return AdminError.Forbidden("Listing trusts needs a read role or ownership of the principal.").ToResult();
        }

        var list = env.Snapshot.GetTrusts(caller.Tenant, principal.Id).Select(ToDto).ToList();
        return Results.Json(new TrustListDto(list), WireJson.Options);
    }

    private static IResult Get(string id, string tid, HttpContext http, AdminEnvironment env)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!Children.TryFind(env, caller.Tenant, id, tid, out var principal, out var trust))
        {
            return AdminError.NotFound("trust").ToResult();
        }

        return AdminPolicy.CanReadPrincipal(caller, principal)
            ? Results.Json(ToDto(trust), WireJson.Options)
            : AdminError.Forbidden("Reading a trust needs a read role or ownership of the principal.").ToResult();
    }

    private static async Task<IResult> UpdateAsync(string id, string tid, HttpContext http, AdminEnvironment env, ITrustConditionCompiler compiler, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (Children.FindForChange(env, caller, id, tid, "Changing a trust", out var principal, out var trust) is { } denied)
        {
            return denied.ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<UpdateTrustRequest>(http.Request, env.Limits, ImmutableFields, ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        using var writeLock = await env.LockAsync(ct);
        if (Children.FindAgain(env, caller.Tenant, id, tid, out principal, out trust) is { } gone)
        {
            return gone.ToResult();
        }

        var request = body.Value!;
        var error = AdminValidation.DisplayName(request.DisplayName, required: false)
            ?? ValidateCondition(compiler, request.Condition, required: false)
            ?? ValidateAudience(request.Audience)
            ?? AdminValidation.ScopedRoles(request.ScopedRoles, principal.Roles)
            ?? ValidateLifetime(request.TokenLifetimeSeconds)
            ?? ChildGrants.WithinCallerRoles(caller, principal, request.ScopedRoles ?? trust.ScopedRoles, "Changing this trust")
            ?? (request.Condition is { } condition ? CountLimits.ConditionBytes(env.Snapshot, env.Limits, caller.Tenant, condition, trust.Id) : null);
        if (error is not null)
        {
            return error.ToResult();
        }

        IReadOnlyList<string> allowlist = trust.IpAllowlist;
        if (request.IpAllowlist is not null && !AdminIpAllowlist.TryParse(request.IpAllowlist, out allowlist, out var ipError))
        {
            return ipError.ToResult();
        }

        var updated = trust with
        {
            DisplayName = request.DisplayName?.Trim() ?? trust.DisplayName,
            Condition = request.Condition ?? trust.Condition,
            Audience = request.Audience is null ? trust.Audience : (request.Audience.Length == 0 ? trust.Tenant : request.Audience),
            IpAllowlist = allowlist,
            ScopedRoles = request.ScopedRoles is null ? trust.ScopedRoles : [.. request.ScopedRoles],
            Enabled = request.Enabled ?? trust.Enabled,
            TokenLifetimeSeconds = request.TokenLifetimeSeconds ?? trust.TokenLifetimeSeconds,
            UpdatedAt = env.Now,
        };
        updated = TokenNotBefore.OnChange(trust, updated, env.Now);
        if (await env.WriteAsync(c => env.Store.SaveTrustAsync(updated, c, expectedUpdatedAt: trust.UpdatedAt), "trust", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        var verb = request.Enabled is { } enabled && enabled != trust.Enabled ? (enabled ? "enable" : "disable") : "update";
        env.Audit(http, ObjectKind, verb, updated.Id, principalId: principal.Id, trustId: updated.Id);
        return Results.Json(ToDto(updated), WireJson.Options);
    }

    private static async Task<IResult> DeleteAsync(string id, string tid, HttpContext http, AdminEnvironment env, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (Children.FindForChange(env, caller, id, tid, "Deleting a trust", out var principal, out var trust) is { } denied)
        {
            return denied.ToResult();
        }

        if (await env.WriteAsync(c => env.Store.DeleteTrustAsync(caller.Tenant, trust.Id, c), "trust", ct) is { } writeError)
        {
            return writeError.ToResult();
        }

        env.Audit(http, ObjectKind, "delete", trust.Id, principalId: principal.Id, trustId: trust.Id);
        return Results.NoContent();
    }


    private static AdminError? ValidateProvider(AdminEnvironment env, string tenant, string? providerId)
    {
        if (providerId is null)
        {
            return AdminError.Required("provider_id");
        }

        return AdminValidation.IsPlausibleId(providerId) && env.Snapshot.TryGetProvider(tenant, providerId, out _)
            ? null
            : AdminError.Validation(ProblemCodes.ValidationFailed, "provider_id", "'provider_id' is not a provider of this tenant.");
    }

    /// <summary>The condition: at most 1024 UTF-8 bytes, compiled now; a compile error names line and column.</summary>
    internal static AdminError? ValidateCondition(ITrustConditionCompiler compiler, string? condition, bool required)
    {
        if (condition is null)
        {
            return required ? AdminError.Required("condition") : null;
        }

        if (string.IsNullOrWhiteSpace(condition))
        {
            return AdminError.Validation(ProblemCodes.InvalidCondition, "condition", "'condition' must not be empty.");
        }

        if (Encoding.UTF8.GetByteCount(condition) > MaxConditionBytes)
        {
            return AdminError.TooLong("condition", MaxConditionBytes, "bytes");
        }

        var compiled = compiler.Compile(condition);
        if (compiled.IsCompiled)
        {
            return null;
        }

        var first = compiled.Errors.Count > 0 ? compiled.Errors[0] : null;
        var where = first is null ? string.Empty : $" at line {first.Line}, column {first.Column} (offset {first.Offset})";
        var hint = first?.Hint is { Length: > 0 } h ? " " + h : string.Empty;
        return AdminError.Validation(ProblemCodes.InvalidCondition, "condition",
            $"'condition' does not compile{where}: {first?.Message ?? "invalid expression"}.{hint}",
            first is null ? null : $"{first.Line}:{first.Column}");
    }

    private static AdminError? ValidateAudience(string? audience)
    {
        if (audience is null || audience.Length == 0)
        {
            return null;
        }

        if (audience.Length > MaxAudienceLength)
        {
            return AdminError.TooLong("audience", MaxAudienceLength);
        }

        return string.IsNullOrWhiteSpace(audience) || audience.Any(char.IsControl)
            ? AdminError.Validation(ProblemCodes.ValidationFailed, "audience", "'audience' must be printable text.")
            : null;
    }

    private static AdminError? ValidateLifetime(int? seconds) =>
        seconds is { } s && (s < MinLifetimeSeconds || s > MaxLifetimeSeconds)
            ? AdminError.Validation(ProblemCodes.LimitExceeded, "token_lifetime_seconds",
                $"'token_lifetime_seconds' must be between {MinLifetimeSeconds} and {MaxLifetimeSeconds}.", $"{MinLifetimeSeconds}..{MaxLifetimeSeconds}")
            : null;
}
