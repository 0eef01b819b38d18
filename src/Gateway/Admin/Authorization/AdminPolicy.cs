using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Roles;

namespace WorkloadFederation.Gateway.Admin.Authorization;

/// <summary>
/// Who may do what in the admin API (API.md "Roles"): Super Admin everything; Read-Only Administrator every GET;
/// Read-Only to System Logs audit events only; Basic User nothing. Owners of a principal manage its credentials and trusts.
/// </summary>
public static class AdminPolicy
{
    /// <summary>Every GET of configuration: Super Admin or Read-Only Administrator.</summary>
    public static bool CanReadConfiguration(CallerIdentity caller) =>
        Has(caller, BuiltInRoles.SuperAdmin) || Has(caller, BuiltInRoles.ReadOnlyAdministrator);

    /// <summary>Every configuration change: Super Admin.</summary>
    public static bool CanWriteConfiguration(CallerIdentity caller) => Has(caller, BuiltInRoles.SuperAdmin);

    /// <summary>Audit events: the read roles or Read-Only to System Logs.</summary>
    public static bool CanReadAudit(CallerIdentity caller) =>
        CanReadConfiguration(caller) || Has(caller, BuiltInRoles.ReadOnlySystemLogs);

    /// <summary>True when the caller is listed among the principal's owners (same tenant).</summary>
    public static bool IsOwner(CallerIdentity caller, ServicePrincipal principal) =>
        principal.Tenant == caller.Tenant && principal.Owners.Contains(caller.PrincipalId, StringComparer.Ordinal);

    /// <summary>GET of a principal, its credentials and trusts.</summary>
    public static bool CanReadPrincipal(CallerIdentity caller, ServicePrincipal principal) =>
        CanReadConfiguration(caller) || IsOwner(caller, principal);

    /// <summary>Create, change, delete and test a principal's credentials and trusts.</summary>
    public static bool CanManageChildren(CallerIdentity caller, ServicePrincipal principal) =>
        CanWriteConfiguration(caller) || IsOwner(caller, principal);

    /// <summary>
    /// Whether the caller may create or change a credential or trust of <paramref name="principal"/> with
    /// <paramref name="scopedRoles"/>: a Super Admin always; an owner only when the effective roles it would grant
    /// (principal roles ∩ scoped roles, all principal roles when none are scoped) lie within the owner's own roles —
    /// otherwise owning a more powerful principal would be a way to act as it. Null when allowed, else the roles
    /// the caller lacks (for the 403).
    /// </summary>
    public static IReadOnlyList<string>? RolesBeyondCaller(CallerIdentity caller, ServicePrincipal principal, IReadOnlyList<string>? scopedRoles)
    {
        if (CanWriteConfiguration(caller))
        {
            return null;
        }

        var beyond = EffectiveRoles.Compute(principal.Roles, scopedRoles).Where(r => !Has(caller, r)).ToList();
        return beyond.Count == 0 ? null : beyond;
    }

    /// <summary>
    /// Introspection (RFC 7662 §4): of a token of the caller's tenant, by the token's own principal or a reader of the
    /// tenant's configuration (Super Admin, Read-Only Administrator).
    /// </summary>
    public static bool CanIntrospect(CallerIdentity caller, CallerIdentity token) =>
        token.Tenant == caller.Tenant && (token.PrincipalId == caller.PrincipalId || CanReadConfiguration(caller));

    private static bool Has(CallerIdentity caller, string role) => caller.Roles.Contains(role, StringComparer.Ordinal);
}
