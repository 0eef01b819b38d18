namespace WorkloadFederation.Federation.Roles;

/// <summary>
/// Effective roles (DESIGN.md vocabulary): the principal's roles ∩ the scoped roles of the credential or trust;
/// no scoped roles means all of the principal's roles. Order follows the principal's roles; duplicates are removed.
/// </summary>
public static class EffectiveRoles
{
    /// <summary>Computes the effective roles.</summary>
    public static IReadOnlyList<string> Compute(IReadOnlyList<string> principalRoles, IReadOnlyList<string>? scopedRoles)
    {
        ArgumentNullException.ThrowIfNull(principalRoles);
        var result = new List<string>(principalRoles.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string>? scope = scopedRoles is { Count: > 0 } ? new HashSet<string>(scopedRoles, StringComparer.Ordinal) : null;
        foreach (var role in principalRoles)
        {
            if ((scope is null || scope.Contains(role)) && seen.Add(role))
            {
                result.Add(role);
            }
        }

        return result.AsReadOnly();
    }
}
