using System.Data.Common;
using System.Net;
using WorkloadFederation.Gateway.Admin.Common;

namespace WorkloadFederation.Silo.Cluster;

/// <summary>Reads the hosts out of the cluster's connection strings, to hold dev mode to loopback addresses.</summary>
internal static class LoopbackHosts
{
    /// <summary>True for <c>localhost</c> and loopback IP addresses.</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The hosts of a StackExchange.Redis configuration string (comma-separated endpoints and options).</summary>
    public static IEnumerable<string> RedisHosts(string configuration) =>
        configuration.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(part => !part.Contains('=', StringComparison.Ordinal))
            .Select(HostOf);

    /// <summary>The hosts of a PostgreSQL connection string's <c>Host</c> (comma-separated, each with an optional port).</summary>
    public static IEnumerable<string> PostgresHosts(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (var key in new[] { "Host", "Server" })
        {
            if (builder.TryGetValue(key, out var value) && value is string hosts)
            {
                return hosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(HostOf);
            }
        }

        return [];
    }

    /// <summary>True for Azurite (<c>UseDevelopmentStorage=true</c>) or a connection string whose every endpoint is loopback.</summary>
    public static bool IsLoopbackAzureStorage(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (builder.TryGetValue("UseDevelopmentStorage", out var dev) && string.Equals(dev as string, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var endpoints = new[] { "TableEndpoint", "BlobEndpoint", "QueueEndpoint" }
            .Select(k => builder.TryGetValue(k, out var v) ? v as string : null)
            .OfType<string>()
            .ToList();
        return endpoints.Count > 0 && endpoints.All(e => Uri.TryCreate(e, UriKind.Absolute, out var uri) && AdminValidation.IsLoopback(uri));
    }

    private static string HostOf(string endpoint)
    {
        if (endpoint.StartsWith('['))
        {
            var close = endpoint.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? endpoint[..(close + 1)] : endpoint;
        }

        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && endpoint.IndexOf(':', StringComparison.Ordinal) == colon ? endpoint[..colon] : endpoint;
    }
}
