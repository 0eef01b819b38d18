using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Audit;

/// <summary><c>GET /api/v1/audit-events?after=&amp;limit=</c> and <c>GET /api/v1/roles</c> (API.md).</summary>
internal static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    /// <summary>Maps the audit and roles endpoints on the admin group.</summary>
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/audit-events", ListAsync).WithTags("Audit").Produces<AuditEventPageDto>();
        api.MapGet("/roles", Roles).WithTags("Roles").Produces<RoleListDto>();
    }

    /// <summary>The wire shape of a stored audit event (the id, opaque, is also a pagination cursor).</summary>
    public static AuditEventDto ToDto(StoredAuditEvent stored)
    {
        var e = stored.Event;
        return new AuditEventDto(
            AuditCursor.Encode(stored.Id), e.Time, e.Type, e.Tenant, e.PrincipalId, e.CredentialId, e.TrustId,
            e.Outcome, e.Reason, e.ClientIp, e.Subject, e.ClientId, e.Detail);
    }

    private static async Task<IResult> ListAsync(HttpContext http, AdminEnvironment env, IAuditStore audit, string? after, string? limit, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!AdminPolicy.CanReadAudit(caller))
        {
            return AdminError.Forbidden("Reading audit events needs a read role or 'Read-Only to System Logs'.").ToResult();
        }

        var afterId = 0L;
        if (!string.IsNullOrEmpty(after) && !AuditCursor.TryDecode(after, out afterId))
        {
            return AdminError.Validation(ProblemCodes.ValidationFailed, "after", "'after' must be a cursor returned as 'next'.").ToResult();
        }

        var pageSize = DefaultLimit;
        if (!string.IsNullOrEmpty(limit)
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxLimit))
        {
            return AdminError.Validation(ProblemCodes.LimitExceeded, "limit", $"'limit' must be a number between 1 and {MaxLimit}.", $"1..{MaxLimit}").ToResult();
        }

        var page = await audit.QueryAsync(caller.Tenant, afterId, pageSize, ct);
        var next = page.Next is { } cursor ? AuditCursor.Encode(cursor) : null;
        return Results.Json(new AuditEventPageDto([.. page.Events.Select(ToDto)], next), WireJson.Options);
    }

    private static IResult Roles(HttpContext http)
    {
        var caller = AdminEnvironment.Caller(http);
        return AdminPolicy.CanReadConfiguration(caller)
            ? Results.Json(new RoleListDto(BuiltInRoles.All), WireJson.Options)
            : AdminError.Forbidden("Listing roles needs a read role.").ToResult();
    }
}
