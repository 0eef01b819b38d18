using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Silo.Cluster;

/// <summary>
/// How the silo finds its cluster (<c>Cluster:*</c>, API.md "Node command line"): the membership backend, its
/// connection, the silo-to-silo port and the cluster's identity.
/// </summary>
public sealed partial record SiloClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>Orleans' default silo-to-silo port, used by the cluster modes when none is configured.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary><c>localhost</c> (one process, the embedded default), <c>redis</c> or <c>azure-table</c>.</summary>
    public string Clustering { get; init; } = ClusteringModes.Localhost;

    /// <summary>The StackExchange.Redis configuration string of the membership table and grain storage (<c>redis</c>).</summary>
    public string? Redis { get; init; }

    /// <summary>The Azure Storage connection string (<c>azure-table</c>); <c>UseDevelopmentStorage=true</c> for Azurite.</summary>
    public string? AzureStorage { get; init; }

    /// <summary>The silo-to-silo port. Localhost clustering: a free port when unset; cluster modes: 11111.</summary>
    public int? SiloPort { get; init; }

    /// <summary>The cluster id: silos with the same id (and backend) form one cluster.</summary>
    public string ClusterId { get; init; } = "wif";

    /// <summary>The service id: stable across deployments of one service (it keys grain state).</summary>
    public string ServiceId { get; init; } = "workload-federation";

    /// <summary>The address other silos reach this one at (Kubernetes: the pod IP). Dev mode: loopback.</summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>True for the modes where several processes form one cluster.</summary>
    public bool IsMultiProcess => Clustering is ClusteringModes.Redis or ClusteringModes.AzureTable;

    /// <summary>Binds <c>Cluster:*</c>; a value of the wrong type is a problem, not an exception.</summary>
    public static SiloClusterOptions Bind(IConfiguration configuration, List<string> problems)
    {
        try
        {
            return configuration.GetSection(Section).Get<SiloClusterOptions>() ?? new SiloClusterOptions();
        }
        catch (InvalidOperationException ex)
        {
            problems.Add($"{Section}: {ex.Message}");
            return new SiloClusterOptions();
        }
    }

    /// <summary>Every problem with these options together with the node's settings (an empty list when valid).</summary>
    public IReadOnlyList<string> Validate(NodeSettings node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var problems = new List<string>();
        if (Clustering is not (ClusteringModes.Localhost or ClusteringModes.Redis or ClusteringModes.AzureTable))
        {
            problems.Add($"Cluster:Clustering must be '{ClusteringModes.Localhost}', '{ClusteringModes.Redis}' or '{ClusteringModes.AzureTable}' (is '{Clustering}').");
            return problems;
        }

        RequireFor(problems, ClusteringModes.Redis, "Cluster:Redis", "--redis", Redis, "a StackExchange.Redis configuration string such as 127.0.0.1:6379");
        RequireFor(problems, ClusteringModes.AzureTable, "Cluster:AzureStorage", "--azure-storage", AzureStorage, "an Azure Storage connection string, or UseDevelopmentStorage=true");

        if (IsMultiProcess && node.Store.Provider != StoreOptions.Postgres)
        {
            problems.Add($"Cluster:Clustering '{Clustering}' needs the shared PostgreSQL store (Store:Provider 'postgres', --store postgres): "
                + "the silos of one cluster share the catalog, and an embedded SQLite file is one silo's own.");
        }

        if (SiloPort is { } port && port is < 1 or > 65535)
        {
            problems.Add($"Cluster:SiloPort must be between 1 and 65535 (is {port}).");
        }

        if (!IdPattern().IsMatch(ClusterId))
        {
            problems.Add("Cluster:ClusterId must be 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        if (!IdPattern().IsMatch(ServiceId))
        {
            problems.Add("Cluster:ServiceId must be 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        if (AdvertisedAddress is { Length: > 0 } advertised && !IPAddress.TryParse(advertised, out _))
        {
            problems.Add($"Cluster:AdvertisedAddress must be an IP address (is '{advertised}').");
        }

        if (node.Node.Dev && IsMultiProcess)
        {
            problems.AddRange(LoopbackProblems(node));
        }

        return problems;
    }

    /// <summary>The address to advertise: the configured one, loopback in dev mode, otherwise Orleans' choice (null).</summary>
    public IPAddress? AdvertisedIp(bool dev) =>
        AdvertisedAddress is { Length: > 0 } configured ? IPAddress.Parse(configured) : dev ? IPAddress.Loopback : null;

    private void RequireFor(List<string> problems, string mode, string key, string flag, string? value, string what)
    {
        var set = !string.IsNullOrWhiteSpace(value);
        if (Clustering == mode && !set)
        {
            problems.Add($"{key} ({flag}) is required when Cluster:Clustering is '{mode}': {what}.");
        }
        else if (Clustering != mode && set)
        {
            problems.Add($"{key} ({flag}) is set but Cluster:Clustering is '{Clustering}': use --clustering {mode} or remove {flag}.");
        }
    }

    /// <summary>Dev mode may join a cluster only when every address it talks to is loopback (tests on one machine).</summary>
    private IEnumerable<string> LoopbackProblems(NodeSettings node)
    {
        if (AdvertisedAddress is { Length: > 0 } advertised && IPAddress.TryParse(advertised, out var ip) && !IPAddress.IsLoopback(ip))
        {
            yield return $"--dev requires loopback addresses; Cluster:AdvertisedAddress '{advertised}' is not loopback.";
        }

        if (Clustering == ClusteringModes.Redis && Redis is { Length: > 0 } redis)
        {
            foreach (var host in LoopbackHosts.RedisHosts(redis).Where(h => !LoopbackHosts.IsLoopback(h)))
            {
                yield return $"--dev requires loopback addresses; the Redis endpoint '{host}' (Cluster:Redis) is not loopback.";
            }
        }

        if (Clustering == ClusteringModes.AzureTable && AzureStorage is { Length: > 0 } azure && !LoopbackHosts.IsLoopbackAzureStorage(azure))
        {
            yield return "--dev requires loopback addresses; Cluster:AzureStorage must be UseDevelopmentStorage=true or name loopback endpoints.";
        }

        if (node.Store.ConnectionString is { Length: > 0 } store)
        {
            foreach (var host in LoopbackHosts.PostgresHosts(store).Where(h => !LoopbackHosts.IsLoopback(h)))
            {
                yield return $"--dev requires loopback addresses; the PostgreSQL host '{host}' (Store:ConnectionString) is not loopback.";
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();
}

/// <summary>The values of <c>Cluster:Clustering</c>.</summary>
public static class ClusteringModes
{
    /// <summary>One process, no backend (the embedded default).</summary>
    public const string Localhost = "localhost";

    /// <summary>Membership and grain state in Redis.</summary>
    public const string Redis = "redis";

    /// <summary>Membership and grain state in Azure Table storage (Azurite for tests).</summary>
    public const string AzureTable = "azure-table";
}
