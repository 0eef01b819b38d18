using System.Text;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Common;

/// <summary>
/// The count limits of DESIGN.md "every limit is enforced" (<c>Limits:*</c>): credentials and trusts per principal,
/// principals and providers per tenant, condition bytes per tenant. Checked against the snapshot under the node's
/// admin write lock, so one node never exceeds them; each refusal names the field and the limit.
/// </summary>
internal static class CountLimits
{
    /// <summary>A new credential of <paramref name="principalId"/>: revoked and expired ones no longer count.</summary>
    public static AdminError? Credential(FederationSnapshot snapshot, RequestLimitOptions limits, string tenant, string principalId, DateTimeOffset now)
    {
        var inForce = snapshot.GetCredentials(tenant, principalId).Count(c => c.RevokedAt is null && c.ExpiresAt > now);
        return Refuse(inForce, limits.MaxCredentialsPerPrincipal, "credentials", "MaxCredentialsPerPrincipal", "credentials in force on this service principal");
    }

    /// <summary>A new trust of <paramref name="principalId"/>.</summary>
    public static AdminError? Trust(FederationSnapshot snapshot, RequestLimitOptions limits, string tenant, string principalId) =>
        Refuse(snapshot.GetTrusts(tenant, principalId).Count, limits.MaxTrustsPerPrincipal, "trusts", "MaxTrustsPerPrincipal", "trusts on this service principal");

    /// <summary>A new service principal of the tenant.</summary>
    public static AdminError? Principal(FederationSnapshot snapshot, RequestLimitOptions limits, string tenant) =>
        Refuse(snapshot.GetPrincipals(tenant).Count, limits.MaxPrincipalsPerTenant, "service_principals", "MaxPrincipalsPerTenant", "service principals in this tenant");

    /// <summary>A new provider of the tenant.</summary>
    public static AdminError? Provider(FederationSnapshot snapshot, RequestLimitOptions limits, string tenant) =>
        Refuse(snapshot.GetProviders(tenant).Count, limits.MaxProvidersPerTenant, "providers", "MaxProvidersPerTenant", "providers in this tenant");

    /// <summary>
    /// A trust condition created, or changed from <paramref name="replacedTrustId"/>'s: the tenant's conditions together
    /// stay within <see cref="RequestLimitOptions.MaxConditionBytesPerTenant"/>.
    /// </summary>
    public static AdminError? ConditionBytes(FederationSnapshot snapshot, RequestLimitOptions limits, string tenant, string condition, string? replacedTrustId = null)
    {
        var total = Encoding.UTF8.GetByteCount(condition);
        foreach (var trust in snapshot.GetTrusts(tenant))
        {
            if (trust.Id != replacedTrustId)
            {
                total += Encoding.UTF8.GetByteCount(trust.Condition);
            }
        }

        var max = limits.MaxConditionBytesPerTenant;
        return total <= max
            ? null
            : AdminError.Validation(ProblemCodes.LimitExceeded, "condition",
                $"The tenant's trust conditions would total {total} bytes; the limit (Limits:MaxConditionBytesPerTenant) is {max} bytes.",
                $"{max} bytes");
    }

    private static AdminError? Refuse(int existing, int max, string field, string setting, string what) =>
        existing < max
            ? null
            : AdminError.Validation(ProblemCodes.LimitExceeded, field,
                $"There are already {existing} {what}; the limit (Limits:{setting}) is {max}.", max.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
