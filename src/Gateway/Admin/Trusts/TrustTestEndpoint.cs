using System.Net;
using Microsoft.AspNetCore.Http;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Federation.TrustTesting;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Trusts;

/// <summary><c>POST .../trusts/{tid}/test</c>: the exchange pipeline on a pasted token or bare claims; nothing is issued.</summary>
internal static partial class TrustEndpoints
{
    public const int MaxTestTokenLength = 16 * 1024;

    private static async Task<IResult> TestAsync(string id, string tid, HttpContext http, AdminEnvironment env, TrustTestRunner runner, CancellationToken ct)
    {
        var caller = AdminEnvironment.Caller(http);
        if (!Children.TryFind(env, caller.Tenant, id, tid, out var principal, out var trust))
        {
            return AdminError.NotFound("trust").ToResult();
        }

        if (!AdminPolicy.CanManageChildren(caller, principal))
        {
            return AdminError.Forbidden("Testing a trust needs the Super Admin role or ownership of the principal.").ToResult();
        }

        var body = await JsonBodyReader.ReadAsync<TrustTestRequest>(http.Request, env.Limits, cancellationToken: ct);
        if (body.Error is { } bodyError)
        {
            return bodyError.ToResult();
        }

        var request = body.Value!;
        var hasClaims = request.Claims is { ValueKind: not System.Text.Json.JsonValueKind.Null };
        if ((request.Token is null) == !hasClaims)
        {
            return AdminError.Validation(ProblemCodes.ValidationFailed, "token", "Give exactly one of 'token' or 'claims'.").ToResult();
        }

        if (request.Token is { Length: > MaxTestTokenLength })
        {
            return AdminError.TooLong("token", MaxTestTokenLength).ToResult();
        }

        if (hasClaims && TrustTestRunner.CheckBareClaims(request.Claims!.Value) is { } claimsProblem)
        {
            return AdminError.Validation(ProblemCodes.ValidationFailed, "claims", claimsProblem + ".").ToResult();
        }

        IPAddress? clientIp = null;
        if (request.ClientIp is not null && !IPAddress.TryParse(request.ClientIp, out clientIp))
        {
            return AdminError.Validation(ProblemCodes.ValidationFailed, "client_ip", "'client_ip' must be an IPv4 or IPv6 address.").ToResult();
        }

        if (!env.Snapshot.TryGetCompiledTrust(caller.Tenant, trust.Id, out var compiled))
        {
            // The trust exists but could not be compiled into the snapshot (e.g. its provider is gone).
            return AdminError.Conflict(ProblemCodes.Conflict, "The trust is not usable in the current configuration.").ToResult();
        }

        var report = await runner.RunAsync(compiled, request.Token, hasClaims ? request.Claims : null, clientIp, ct);
        return Results.Json(report.ToDto(), WireJson.Options);
    }
}
