using System.Net;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Federation.ProviderKeys;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Admin.Common;

/// <summary>Field rules shared by the admin endpoints. Each returns the problem naming the field and the limit, or null.</summary>
public static class AdminValidation
{
    public const int MaxDisplayNameLength = 200;
    public const int MaxRoles = 16;
    public const int MaxOwners = 32;
    public const int MaxUrlLength = 2048;
    public const int MaxAlgorithms = 16;
    public const int MaxIdLength = 128;

    /// <summary>A required or optional display name: 1..200 characters, no control characters.</summary>
    public static AdminError? DisplayName(string? value, string field = "display_name", bool required = true)
    {
        if (value is null)
        {
            return required ? AdminError.Required(field) : null;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return AdminError.Validation(ProblemCodes.ValidationFailed, field, $"'{field}' must not be blank.");
        }

        if (value.Length > MaxDisplayNameLength)
        {
            return AdminError.TooLong(field, MaxDisplayNameLength);
        }

        return value.Any(char.IsControl)
            ? AdminError.Validation(ProblemCodes.ValidationFailed, field, $"'{field}' must not contain control characters.")
            : null;
    }

    /// <summary>Built-in role names, at most 16, no duplicates.</summary>
    public static AdminError? Roles(IReadOnlyList<string>? roles, string field)
    {
        if (roles is null)
        {
            return null;
        }

        if (roles.Count > MaxRoles)
        {
            return AdminError.TooMany(field, MaxRoles);
        }

        for (var i = 0; i < roles.Count; i++)
        {
            if (roles[i] is null || !BuiltInRoles.IsKnown(roles[i]))
            {
                return AdminError.Validation(ProblemCodes.UnknownRole, $"{field}[{i}]",
                    $"'{field}[{i}]' is not a role; roles are: {string.Join(", ", BuiltInRoles.All)}.");
            }

            if (roles.Take(i).Contains(roles[i], StringComparer.Ordinal))
            {
                return AdminError.Validation(ProblemCodes.ValidationFailed, $"{field}[{i}]", $"'{field}[{i}]' repeats a role.");
            }
        }

        return null;
    }

    /// <summary>Scoped roles must be roles the principal holds (DESIGN.md "effective roles").</summary>
    public static AdminError? ScopedRoles(IReadOnlyList<string>? scoped, IReadOnlyList<string> principalRoles, string field = "scoped_roles")
    {
        if (Roles(scoped, field) is { } error)
        {
            return error;
        }

        if (scoped is null)
        {
            return null;
        }

        for (var i = 0; i < scoped.Count; i++)
        {
            if (!principalRoles.Contains(scoped[i], StringComparer.Ordinal))
            {
                return AdminError.Validation(ProblemCodes.UnknownRole, $"{field}[{i}]",
                    $"'{field}[{i}]' is not a role of the service principal.");
            }
        }

        return null;
    }

    /// <summary>
    /// A provider URL (issuer or JWKS): absolute, https, no user info, query or fragment; plain http only on a loopback
    /// host and only when <paramref name="allowLoopbackHttp"/> (dev mode).
    /// </summary>
    public static AdminError? ProviderUrl(string? value, string field, bool allowLoopbackHttp, bool required)
    {
        if (value is null)
        {
            return required ? AdminError.Required(field) : null;
        }

        if (value.Length > MaxUrlLength)
        {
            return AdminError.TooLong(field, MaxUrlLength);
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown)
        {
            return AdminError.Validation(ProblemCodes.InvalidUrl, field, $"'{field}' must be an absolute URL.");
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || value.Contains('#') || value.Contains('?'))
        {
            return AdminError.Validation(ProblemCodes.InvalidUrl, field, $"'{field}' must not contain user info, a query or a fragment.");
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            // Refused now, with the reason the outbound guard would give when fetching; dev mode may name any host.
            return !allowLoopbackHttp && NonPublicHostReason(uri) is { } reason
                ? AdminError.Validation(ProblemCodes.InvalidUrl, field,
                    $"'{field}' names a non-public address: {reason}. Providers must be on public addresses (others only in dev mode).")
                : null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri))
        {
            return allowLoopbackHttp
                ? null
                : AdminError.Validation(ProblemCodes.InvalidUrl, field, $"'{field}' must use https (http on a loopback address is accepted only in dev mode).");
        }

        return AdminError.Validation(ProblemCodes.InvalidUrl, field, $"'{field}' must use https.");
    }

    /// <summary>
    /// Why the URL's host is not a public address, or null. IP literals in every spelling the URL parser accepts
    /// (<c>2130706433</c>, <c>0x7f000001</c>, <c>0177.0.0.1</c>, <c>127.1</c>, <c>[::ffff:127.0.0.1]</c>) arrive here
    /// normalised, and are judged by <see cref="OutboundAddressPolicy"/>; <c>localhost</c> and <c>*.localhost</c>
    /// (RFC 6761 §6.3) always mean loopback. Other names are checked when resolved, at fetch time.
    /// </summary>
    public static string? NonPublicHostReason(Uri uri)
    {
        var host = uri.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "loopback (localhost)";
        }

        return uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
            ? OutboundAddressPolicy.NonPublicReason(ip)
            : null;
    }

    /// <summary>True for a loopback host: <c>localhost</c>, 127.0.0.0/8, ::1.</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>A path id: non-empty, bounded, printable ASCII (anything else cannot name an object and answers 404).</summary>
    public static bool IsPlausibleId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxIdLength && id.All(c => c is > ' ' and < (char)127);
}
