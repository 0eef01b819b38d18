using Microsoft.Extensions.Configuration;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Silo.Cluster;
using WorkloadFederation.Silo.Hosting;

namespace WorkloadFederation.Silo.Tests.Cluster;

public sealed class SiloClusterOptionsTests
{
    private const string LoopbackPostgres = "Host=127.0.0.1;Port=5432;Username=wif";

    [Fact]
    public void Defaults_AreLocalhostClusteringOnTheEmbeddedStore()
    {
        var (node, cluster) = SiloHost.LoadSettings(Config(("Node:DataDir", "/tmp/wif-data")));

        Assert.Equal(StoreOptions.Sqlite, node.Store.Provider);
        Assert.Equal(ClusteringModes.Localhost, cluster.Clustering);
        Assert.False(cluster.IsMultiProcess);
        Assert.Null(cluster.SiloPort);
        Assert.Equal("wif", cluster.ClusterId);
    }

    [Fact]
    public void Redis_WithPostgresAndLoopbackAddressesInDevMode_IsValid()
    {
        var (_, cluster) = SiloHost.LoadSettings(Config(
            ("Node:Dev", "true"), ("Store:Provider", "postgres"), ("Store:ConnectionString", LoopbackPostgres),
            ("Cluster:Clustering", "redis"), ("Cluster:Redis", "127.0.0.1:6379,abortConnect=false"), ("Cluster:SiloPort", "11112")));

        Assert.Equal(ClusteringModes.Redis, cluster.Clustering);
        Assert.Equal(11112, cluster.SiloPort);
        Assert.Equal(System.Net.IPAddress.Loopback, cluster.AdvertisedIp(dev: true));
    }

    public static TheoryData<string, (string Key, string? Value)[], string> Refused => new()
    {
        { "unknown mode", [("Cluster:Clustering", "zookeeper")], "Cluster:Clustering must be 'localhost', 'redis' or 'azure-table' (is 'zookeeper')" },
        { "redis without its connection", [("Store:Provider", "postgres"), ("Store:ConnectionString", LoopbackPostgres), ("Cluster:Clustering", "redis")], "Cluster:Redis (--redis) is required when Cluster:Clustering is 'redis'" },
        { "azure without its connection", [("Store:Provider", "postgres"), ("Store:ConnectionString", LoopbackPostgres), ("Cluster:Clustering", "azure-table")], "Cluster:AzureStorage (--azure-storage) is required when Cluster:Clustering is 'azure-table'" },
        { "redis connection without redis mode", [("Cluster:Redis", "127.0.0.1:6379")], "Cluster:Redis (--redis) is set but Cluster:Clustering is 'localhost'" },
        { "azure connection in redis mode", [("Store:Provider", "postgres"), ("Store:ConnectionString", LoopbackPostgres), ("Cluster:Clustering", "redis"), ("Cluster:Redis", "127.0.0.1:6379"), ("Cluster:AzureStorage", "UseDevelopmentStorage=true")], "Cluster:AzureStorage (--azure-storage) is set but Cluster:Clustering is 'redis'" },
        { "cluster on the embedded store", [("Cluster:Clustering", "redis"), ("Cluster:Redis", "127.0.0.1:6379")], "Cluster:Clustering 'redis' needs the shared PostgreSQL store (Store:Provider 'postgres'" },
        { "silo port out of range", [("Cluster:SiloPort", "70000")], "Cluster:SiloPort must be between 1 and 65535 (is 70000)" },
        { "silo port not a number", [("Cluster:SiloPort", "eleven")], "Cluster:" },
        { "cluster id with a slash", [("Cluster:ClusterId", "a/b")], "Cluster:ClusterId must be 1 to 64 letters" },
        { "dev with a remote redis", [("Node:Dev", "true"), ("Store:Provider", "postgres"), ("Store:ConnectionString", LoopbackPostgres), ("Cluster:Clustering", "redis"), ("Cluster:Redis", "redis.example.com:6379")], "the Redis endpoint 'redis.example.com' (Cluster:Redis) is not loopback" },
        { "dev with a remote postgres", [("Node:Dev", "true"), ("Store:Provider", "postgres"), ("Store:ConnectionString", "Host=db.example.com"), ("Cluster:Clustering", "redis"), ("Cluster:Redis", "localhost:6379")], "the PostgreSQL host 'db.example.com' (Store:ConnectionString) is not loopback" },
        { "dev with cloud azure storage", [("Node:Dev", "true"), ("Store:Provider", "postgres"), ("Store:ConnectionString", LoopbackPostgres), ("Cluster:Clustering", "azure-table"), ("Cluster:AzureStorage", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=a2V5")], "Cluster:AzureStorage must be UseDevelopmentStorage=true or name loopback endpoints" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Settings_MissingOrInconsistent_AreRefusedNamingTheSetting(string name, (string Key, string? Value)[] settings, string expected)
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => SiloHost.LoadSettings(Config(settings)));

        Assert.True(ex.Problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"{name}: expected a problem containing '{expected}', got: {ex.Message}");
    }

    [Fact]
    public void Build_RedisModeWithoutRedis_IsRefusedBeforeAnythingStarts()
    {
        var line = NodeCommandLine.Parse(["--store", "postgres", "--connection-string", LoopbackPostgres, "--clustering", "redis", "--data-dir", "/tmp/wif-unused"]);

        var ex = Assert.Throws<NodeConfigurationException>(() => SiloHost.Build(line));

        Assert.Contains(ex.Problems, p => p.StartsWith("Cluster:Redis (--redis) is required", StringComparison.Ordinal));
    }

    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
