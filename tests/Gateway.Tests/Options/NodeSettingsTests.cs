using Microsoft.Extensions.Configuration;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Tests.Options;

public sealed class NodeSettingsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void LoadSettings_Defaults_AreValidSqliteInDataDir()
    {
        var settings = NodeHost.LoadSettings(Config(("Node:DataDir", "/tmp/wif-data")));

        Assert.Equal(StoreOptions.Sqlite, settings.Store.Provider);
        Assert.Equal("/tmp/wif-data", settings.SqlitePath);
        Assert.Equal(1800, settings.Tokens.ExchangeLifetimeSeconds);
        Assert.Equal(3600, settings.Tokens.ClientCredentialsLifetimeSeconds);
    }

    [Fact]
    public void LoadSettings_SeveralProblems_ReportsEveryOne()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeHost.LoadSettings(Config(
            ("Store:Provider", "mysql"),
            ("Keys:KeyEncryptionKey", "not-base64"),
            ("Tenancy:DefaultTenant", "Not A Domain"),
            ("Network:TrustedProxies:0", "10.0.0.0/99"),
            ("RateLimits:PerIpPerMinute", "0"),
            ("Limits:MaxFormFields", "100000"))));

        Assert.Contains(ex.Problems, p => p.StartsWith("Store:Provider", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Keys:KeyEncryptionKey", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Tenancy:DefaultTenant", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Network:TrustedProxies:0", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("RateLimits:PerIpPerMinute", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Limits:MaxFormFields", StringComparison.Ordinal));
        Assert.Equal(6, ex.Problems.Count);
    }

    [Fact]
    public void LoadSettings_NonNumericLimit_IsReportedNotThrownRaw()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeHost.LoadSettings(Config(("Limits:MaxFormFields", "many"))));

        Assert.Contains(ex.Problems, p => p.Contains("Limits", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadSettings_PostgresWithoutConnectionStringOrKek_ReportsBoth()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeHost.LoadSettings(Config(("Store:Provider", "postgres"))));

        Assert.Contains(ex.Problems, p => p.StartsWith("Store:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Keys:KeyEncryptionKey or", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadSettings_Audit_DefaultsToBackPressureAndBindsDropAndCount()
    {
        Assert.Equal(AuditOverflow.BackPressure, NodeHost.LoadSettings(Config(("Node:DataDir", "/tmp/wif-data"))).Audit.WhenFull);

        var settings = NodeHost.LoadSettings(Config(
            ("Node:DataDir", "/tmp/wif-data"), ("Audit:WhenFull", "DropAndCount"), ("Audit:FlushInterval", "00:00:00.250")));

        Assert.Equal(AuditOverflow.DropAndCount, settings.Audit.WhenFull);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Audit.FlushInterval);
    }

    [Fact]
    public void LoadSettings_AuditOutOfRange_IsReportedWithItsName()
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeHost.LoadSettings(Config(
            ("Audit:Capacity", "0"), ("Audit:BackPressureTimeout", "00:10:00"))));

        Assert.Contains(ex.Problems, p => p.StartsWith("Audit:Capacity", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Audit:BackPressureTimeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1:9464")]
    [InlineData("http://127.0.0.1")]
    [InlineData("https://127.0.0.1:9464")]
    [InlineData("http://127.0.0.1:9464/metrics")]
    [InlineData("http://user@127.0.0.1:9464")]
    public void LoadSettings_MetricsListenUrlNotAPlainHttpListener_IsAProblem(string url)
    {
        var ex = Assert.Throws<NodeConfigurationException>(() => NodeHost.LoadSettings(Config(("Node:DataDir", "/tmp/wif-data"), ("Telemetry:MetricsListenUrl", url))));

        Assert.Contains(ex.Problems, p => p.StartsWith("Telemetry:MetricsListenUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_MetricsListenUrlOnTheTokenPort_IsRefused()
    {
        var dir = Path.Combine(Path.GetTempPath(), "wif-metrics-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<NodeConfigurationException>(() => Silo.Hosting.SiloHost.Build(Silo.Hosting.NodeCommandLine.Parse(
            ["--urls", "http://127.0.0.1:9464", "--data-dir", dir, "--Telemetry:MetricsListenUrl=http://127.0.0.1:9464"])));

        Assert.Contains(ex.Problems, p => p.Contains("port of its own", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("8080", null, "http://*:8080")]
    [InlineData("8080; 8081", null, "http://*:8080;http://*:8081")]
    [InlineData(null, "8443", "https://*:8443")]
    [InlineData(null, null, null)]
    public void PortsAsUrls_ContainerPortVariables_BecomeTheTokenListenUrls(string? http, string? https, string? expected)
    {
        var pairs = new List<(string, string)>();
        if (http is not null) pairs.Add(("HTTP_PORTS", http));
        if (https is not null) pairs.Add(("HTTPS_PORTS", https));

        Assert.Equal(expected, NodeHost.PortsAsUrls(Config([.. pairs])));
    }

    [Fact]
    public void Build_MetricsListenUrlOnAContainerPort_IsRefused()
    {
        var dir = Path.Combine(Path.GetTempPath(), "wif-metrics-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<NodeConfigurationException>(() => Silo.Hosting.SiloHost.Build(Silo.Hosting.NodeCommandLine.Parse(
            ["--data-dir", dir, "--HTTP_PORTS=9464", "--Telemetry:MetricsListenUrl=http://127.0.0.1:9464"])));

        Assert.Contains(ex.Problems, p => p.Contains("http://*:9464 already listens on 9464", StringComparison.Ordinal));
    }
}
