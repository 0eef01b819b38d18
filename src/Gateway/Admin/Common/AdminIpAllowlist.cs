using System.Diagnostics.CodeAnalysis;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Federation.Network;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Common;

/// <summary>Turns an <c>ip_allowlist</c> body field into its normalised entries, or the problem naming the entry.</summary>
public static class AdminIpAllowlist
{
    public const string Field = "ip_allowlist";

    /// <summary>Validates and normalises the entries; false with the problem naming the first bad entry or the count limit.</summary>
    public static bool TryParse(IReadOnlyList<string>? entries, out IReadOnlyList<string> normalised, [NotNullWhen(false)] out AdminError? error)
    {
        normalised = [];
        error = null;
        if (entries is null || entries.Count == 0)
        {
            return true;
        }

        if (entries.Count > IpAllowlist.MaxEntries)
        {
            error = AdminError.TooMany(Field, IpAllowlist.MaxEntries);
            return false;
        }

        var result = IpAllowlist.Parse(entries);
        if (!result.Success)
        {
            var first = result.Errors.Count > 0 ? result.Errors[0] : new IpAllowlistError(-1, "invalid entry");
            var field = first.Index >= 0 ? $"{Field}[{first.Index}]" : Field;
            error = AdminError.Validation(ProblemCodes.InvalidCidr, field, $"'{field}': {first.Message}.",
                $"{IpAllowlist.MaxEntries} IPv4/IPv6 addresses or CIDRs");
            return false;
        }

        normalised = result.Allowlist!.Entries;
        return true;
    }
}
