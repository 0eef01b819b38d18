using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Gateway.Bootstrap;
using WorkloadFederation.Silo.Commands;
using WorkloadFederation.Silo.Hosting;
using WorkloadFederation.Storage;

namespace WorkloadFederation.Silo.Tests.Commands;

public sealed class TenantCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "wif-tc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task TenantCreate_NewDomain_PrintsClientIdAndSecretOnceAndStoresOnlyThePublicKey()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await TenantCommand.RunAsync(NodeCommandLine.Parse(["tenant", "create", "acme.example.com", "--data-dir", _dir]), output, error);

        Assert.Equal(NodeProgram.ExitOk, code);
        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        var clientId = lines.Single(l => l.StartsWith("client_id:", StringComparison.Ordinal))["client_id:".Length..].Trim();
        var secret = lines.Single(l => l.StartsWith("client_secret:", StringComparison.Ordinal))["client_secret:".Length..].Trim();
        Assert.True(ClientId.TryParse(clientId, out var parsed));
        Assert.Equal("acme.example.com", parsed.Tenant);
        Assert.Equal(ClientIdKind.Credential, parsed.Kind);
        Assert.True(ClientSecret.TryParse(secret, out var key, out _));

        await using var store = StoreFactory.CreateSqlite(_dir, TimeProvider.System);
        var state = await store.LoadAsync(CancellationToken.None);
        var credential = Assert.Single(state.Credentials);
        Assert.Equal(clientId, credential.ClientId);
        Assert.Equal(key!.PublicKey, credential.PublicKey);
        Assert.Equal([BuiltInRoles.SuperAdmin], Assert.Single(state.Principals).Roles);
        Assert.False(File.Exists(Path.Combine(_dir, DataDirectory.BootstrapFileName)));
    }

    [Fact]
    public async Task TenantCreate_ExistingDomain_FailsWithoutSecondAdmin()
    {
        var line = NodeCommandLine.Parse(["tenant", "create", "dup.example.com", "--data-dir", _dir]);
        Assert.Equal(NodeProgram.ExitOk, await TenantCommand.RunAsync(line, new StringWriter(), new StringWriter()));
        var error = new StringWriter();

        var code = await TenantCommand.RunAsync(line, new StringWriter(), error);

        Assert.Equal(NodeProgram.ExitFailure, code);
        Assert.Contains("already exists", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysRotate_AddsANewActiveKeyAndRetiresTheOld()
    {
        var line = NodeCommandLine.Parse(["keys", "rotate", "--data-dir", _dir]);
        Assert.Equal(NodeCommand.RotateKeys, line.Command);

        Assert.Equal(NodeProgram.ExitOk, await KeysCommand.RunAsync(line, new StringWriter()));
        Assert.Equal(NodeProgram.ExitOk, await KeysCommand.RunAsync(line, new StringWriter()));

        await using var store = StoreFactory.CreateSqlite(_dir, TimeProvider.System);
        var keys = (await store.LoadAsync(CancellationToken.None)).SigningKeys;
        Assert.Equal(2, keys.Count);
        Assert.Single(keys, k => k.RetiredAt is null);
        Assert.Single(keys, k => k.RetiredAt is not null && k.PublishedUntil > DateTimeOffset.UtcNow);
        Assert.All(keys, k => Assert.DoesNotContain("\"d\"", k.PublicJwk, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TenantCreate_OnPostgres_NeedsNoKeyEncryptionKey()
    {
        await using var database = await TestSupport.PostgresTestDatabase.CreateAsync();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await TenantCommand.RunAsync(NodeCommandLine.Parse(
            ["tenant", "create", "pg.example.com", "--store", "postgres", "--connection-string", database.ConnectionString, "--data-dir", _dir]), output, error);

        Assert.True(code == NodeProgram.ExitOk, error.ToString());
        Assert.Contains("client_secret: secret-token:pg.example.com:v1:", output.ToString(), StringComparison.Ordinal);
        await using var store = StoreFactory.CreatePostgres(database.ConnectionString, TimeProvider.System);
        Assert.Contains((await store.LoadAsync(CancellationToken.None)).Tenants, t => t.Domain == "pg.example.com");
    }

    [Fact]
    public async Task TenantCreate_InvalidDomain_IsUsageError()
    {
        var error = new StringWriter();

        var code = await TenantCommand.RunAsync(NodeCommandLine.Parse(["tenant", "create", "Not_A_Domain", "--data-dir", _dir]), new StringWriter(), error);

        Assert.Equal(NodeProgram.ExitUsage, code);
    }
}
