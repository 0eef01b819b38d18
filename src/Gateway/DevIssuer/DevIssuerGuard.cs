using System.Net;

namespace WorkloadFederation.Gateway.DevIssuer;

/// <summary>
/// The development issuer mints tokens for anyone who can reach it, so it exists only on a node that listens on
/// loopback addresses alone (API.md: dev mode accepts http:// issuers on loopback addresses, nowhere else).
/// </summary>
public static class DevIssuerGuard
{
    /// <summary>One problem per listening URL that is not loopback; empty when the dev issuer may be enabled.</summary>
    public static IReadOnlyList<string> ListeningProblems(IEnumerable<string> listeningUrls)
    {
        ArgumentNullException.ThrowIfNull(listeningUrls);
        var problems = new List<string>();
        var any = false;
        foreach (var url in listeningUrls)
        {
            any = true;
            if (!IsLoopbackUrl(url))
            {
                problems.Add($"The development issuer cannot be enabled: the node listens on '{url}', which is not a loopback address.");
            }
        }

        if (!any)
        {
            problems.Add("The development issuer cannot be enabled: the node has no listening address.");
        }

        return problems;
    }

    /// <summary>Throws when <see cref="ListeningProblems"/> reports any problem (call it at start-up).</summary>
    public static void EnsureLoopbackOnly(IEnumerable<string> listeningUrls)
    {
        var problems = ListeningProblems(listeningUrls);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }
    }

    /// <summary>
    /// The issuer URL for a node's listening addresses: the first <c>http://</c> loopback address plus
    /// <c>/dev/oidc</c>, or null when there is none.
    /// </summary>
    public static string? IssuerFor(IEnumerable<string> listeningUrls)
    {
        ArgumentNullException.ThrowIfNull(listeningUrls);
        var address = listeningUrls.FirstOrDefault(u => u.StartsWith("http://", StringComparison.Ordinal) && IsLoopbackUrl(u));
        return address is null ? null : address.TrimEnd('/') + Contracts.OAuth.EndpointPaths.DevOidcPrefix;
    }

    /// <summary>True for an absolute URL whose host is a loopback name or address (wildcards are not loopback).</summary>
    public static bool IsLoopbackUrl(string url)
    {
        if (string.IsNullOrEmpty(url) || url.Contains("://*", StringComparison.Ordinal) || url.Contains("://+", StringComparison.Ordinal))
        {
            return false;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
        {
            return IPAddress.IsLoopback(ip);
        }

        return string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);
    }

    internal static bool IsLoopbackHttpUrl(string url) =>
        IsLoopbackUrl(url) && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
