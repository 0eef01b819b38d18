namespace WorkloadFederation.Contracts.Identity;

/// <summary>The built-in roles of the admin API (API.md "Admin API").</summary>
public static class BuiltInRoles
{
    public const string SuperAdmin = "Super Admin";
    public const string ReadOnlyAdministrator = "Read-Only Administrator";
    public const string ReadOnlySystemLogs = "Read-Only to System Logs";
    public const string BasicUser = "Basic User";

    public static IReadOnlyList<string> All { get; } = [SuperAdmin, ReadOnlyAdministrator, ReadOnlySystemLogs, BasicUser];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
