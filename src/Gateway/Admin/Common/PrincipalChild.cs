using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Gateway.Admin.Authorization;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Common;

/// <summary>
/// How a credential or trust is found below its service principal — the one rule every child endpoint follows:
/// both ids plausible, both in the caller's tenant, and the child belongs to that principal. Another tenant's or
/// another principal's child is "not found", never "forbidden" (API.md: existence is not revealed).
/// </summary>
internal sealed class PrincipalChild<TChild>(string kind, PrincipalChild<TChild>.Lookup lookup, Func<TChild, string> principalIdOf)
    where TChild : class
{
    /// <summary>Reads a child by tenant and id from the snapshot.</summary>
    public delegate bool Lookup(FederationSnapshot snapshot, string tenant, string id, out TChild child);

    /// <summary>Finds the principal and its child in the caller's tenant.</summary>
    public bool TryFind(AdminEnvironment env, string tenant, string id, string childId, out ServicePrincipal principal, out TChild child)
    {
        principal = null!;
        child = null!;
        return AdminValidation.IsPlausibleId(id) && AdminValidation.IsPlausibleId(childId)
            && env.Snapshot.TryGetPrincipal(tenant, id, out principal)
            && lookup(env.Snapshot, tenant, childId, out child)
            && principalIdOf(child) == principal.Id;
    }

    /// <summary>
    /// Finds the child for a change: 404 when it is not there, 403 when the caller may not manage the principal's
    /// credentials and trusts. <paramref name="action"/> names the change in the 403, e.g. "Revoking a credential".
    /// </summary>
    public AdminError? FindForChange(AdminEnvironment env, CallerIdentity caller, string id, string childId, string action,
        out ServicePrincipal principal, out TChild child)
    {
        if (!TryFind(env, caller.Tenant, id, childId, out principal, out child))
        {
            return AdminError.NotFound(kind);
        }

        return AdminPolicy.CanManageChildren(caller, principal)
            ? null
            : AdminError.Forbidden($"{action} needs the Super Admin role or ownership of the principal.");
    }

    /// <summary>Finds the child again once the node's write lock is held, so the change applies to the state as it is now.</summary>
    public AdminError? FindAgain(AdminEnvironment env, string tenant, string id, string childId, out ServicePrincipal principal, out TChild child) =>
        TryFind(env, tenant, id, childId, out principal, out child) ? null : AdminError.NotFound(kind);
}

/// <summary>What an owner may grant through a credential or trust of the principal it owns.</summary>
internal static class ChildGrants
{
    /// <summary>
    /// The 403 when the credential or trust, created or changed to <paramref name="scopedRoles"/>, would grant roles the
    /// caller does not hold (<see cref="AdminPolicy.RolesBeyondCaller"/>); null when allowed.
    /// </summary>
    public static AdminError? WithinCallerRoles(CallerIdentity caller, ServicePrincipal principal, IReadOnlyList<string>? scopedRoles, string action) =>
        AdminPolicy.RolesBeyondCaller(caller, principal, scopedRoles) is { } beyond
            ? AdminError.Forbidden($"{action} would grant roles you do not hold ({string.Join(", ", beyond)}); "
                + "scope it to your own roles with 'scoped_roles', or ask a Super Admin.")
            : null;
}
