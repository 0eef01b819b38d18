using WorkloadFederation.Gateway.DevIssuer;
using WorkloadFederation.Silo.Hosting;

namespace WorkloadFederation.Silo.Tests.Hosting;

public sealed class NodeCommandLineTests
{
    [Fact]
    public void Parse_DevWithUrlsAndDataDir_MapsNodeSwitchesAndPassesUrlsThrough()
    {
        var line = NodeCommandLine.Parse(["--dev", "--urls", "http://127.0.0.1:6000", "--data-dir", "/tmp/x"]);

        Assert.Null(line.Error);
        Assert.Equal(NodeCommand.Run, line.Command);
        Assert.Equal("true", line.Settings["Node:Dev"]);
        Assert.Equal("/tmp/x", line.Settings["Node:DataDir"]);
        Assert.Equal(["--urls", "http://127.0.0.1:6000"], line.HostArgs);
    }

    [Fact]
    public void Parse_ClusterFlags_SetTheConfigurationKeysApiMdNames()
    {
        var line = NodeCommandLine.Parse([
            "--store", "postgres", "--connection-string", "Host=127.0.0.1", "--clustering", "redis", "--redis", "127.0.0.1:6379",
            "--azure-storage=UseDevelopmentStorage=true", "--silo-port", "11112", "--cluster-id", "test-cluster"]);

        Assert.Null(line.Error);
        Assert.Equal("postgres", line.Settings["Store:Provider"]);
        Assert.Equal("Host=127.0.0.1", line.Settings["Store:ConnectionString"]);
        Assert.Equal("redis", line.Settings["Cluster:Clustering"]);
        Assert.Equal("127.0.0.1:6379", line.Settings["Cluster:Redis"]);
        Assert.Equal("UseDevelopmentStorage=true", line.Settings["Cluster:AzureStorage"]);
        Assert.Equal("11112", line.Settings["Cluster:SiloPort"]);
        Assert.Equal("test-cluster", line.Settings["Cluster:ClusterId"]);
        Assert.Empty(line.HostArgs);
    }

    [Theory]
    [InlineData("--clustering")]
    [InlineData("--redis")]
    [InlineData("--azure-storage")]
    [InlineData("--silo-port")]
    [InlineData("--cluster-id")]
    public void Parse_ClusterFlagWithoutValue_IsAUsageErrorNamingTheFlag(string flag)
    {
        var line = NodeCommandLine.Parse(["--dev", flag]);

        Assert.Equal($"{flag} needs a value", line.Error);
    }

    [Fact]
    public void Parse_TenantCreateWithPostgresOptions_IsCreateTenant()
    {
        var line = NodeCommandLine.Parse(["tenant", "create", "acme.example.com", "--store=postgres", "--connection-string", "Host=x"]);

        Assert.Null(line.Error);
        Assert.Equal(NodeCommand.CreateTenant, line.Command);
        Assert.Equal("acme.example.com", line.TenantDomain);
        Assert.Equal("postgres", line.Settings["Store:Provider"]);
        Assert.Equal("Host=x", line.Settings["Store:ConnectionString"]);
    }

    [Theory]
    [InlineData("missing domain", new[] { "tenant", "create" })]
    [InlineData("wrong verb", new[] { "tenant", "delete", "a.example" })]
    [InlineData("data dir without value", new[] { "--data-dir" })]
    [InlineData("dev with value", new[] { "--dev=yes" })]
    public void Parse_Malformed_ReportsErrorWithoutThrowing(string name, string[] args)
    {
        var line = NodeCommandLine.Parse(args);

        Assert.False(line.Error is null, name);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://example.com:5080", false)]
    public void IsLoopbackUrl_Table_MatchesLoopbackOnly(string url, bool expected)
    {
        Assert.Equal(expected, DevIssuerGuard.IsLoopbackUrl(url));
    }
}
