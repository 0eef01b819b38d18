using System.Security.Cryptography;
using WorkloadFederation.Gateway.Bootstrap;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>Where a test node keeps its state: a temporary data directory and, for PostgreSQL, a throw-away database.</summary>
public abstract class StoreBackend : IAsyncDisposable
{
    protected StoreBackend()
    {
        DataDir = Path.Combine(Path.GetTempPath(), "wif-gw-" + Guid.NewGuid().ToString("N")[..12]);
        Kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    }

    public string DataDir { get; }

    public string Kek { get; }

    public abstract string Name { get; }

    /// <summary>A setup for one node on this backend; several nodes may share a PostgreSQL database.</summary>
    public abstract NodeSetup Setup(string? dataDir = null, bool dev = false);

    public virtual ValueTask DisposeAsync()
    {
        try
        {
            if (Directory.Exists(DataDir))
            {
                Directory.Delete(DataDir, recursive: true);
            }
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

public sealed class SqliteBackend : StoreBackend
{
    public override string Name => StoreOptions.Sqlite;

    public override NodeSetup Setup(string? dataDir = null, bool dev = false) =>
        new(dataDir ?? DataDir, StoreOptions.Sqlite, null, Kek, dev);
}

/// <summary>A throw-away PostgreSQL database, with optional extra node settings (limits, rate limits).</summary>
public sealed class PostgresBackend(IReadOnlyDictionary<string, string?>? settings = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null) : StoreBackend
{
    private PostgresTestDatabase? _database;

    public override string Name => StoreOptions.Postgres;

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync();

    public override NodeSetup Setup(string? dataDir = null, bool dev = false) =>
        new(dataDir ?? DataDir, StoreOptions.Postgres, _database!.ConnectionString, Kek, dev)
        {
            Settings = settings is null ? [] : new Dictionary<string, string?>(settings),
            Configure = configure,
        };

    /// <summary>A backend with its database created.</summary>
    public static async Task<StoreBackend> CreateAsync(
        IReadOnlyDictionary<string, string?>? settings = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
    {
        var backend = new PostgresBackend(settings, configure);
        await backend.InitializeAsync();
        return backend;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

/// <summary>One node per test class, with the bootstrap admin logged in.</summary>
public abstract class NodeFixture : IAsyncLifetime
{
    public StoreBackend Backend { get; private set; } = null!;

    public NodeInstance Node { get; private set; } = null!;

    public BootstrapAdmin Admin { get; private set; } = null!;

    public string AdminToken { get; private set; } = null!;

    public string Tenant => Admin.Tenant;

    protected abstract Task<StoreBackend> CreateBackendAsync();

    protected virtual bool Dev => false;

    public virtual async Task InitializeAsync()
    {
        Backend = await CreateBackendAsync();
        Node = await NodeInstance.StartAsync(Backend.Setup(dev: Dev));
        Admin = NodeInstance.ReadBootstrapAdmin(Backend.DataDir);
        AdminToken = await Node.Http.LoginAsync(Admin.ClientId, Admin.ClientSecret);
    }

    public async Task DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }
    }

    /// <summary>A fresh access token of the bootstrap admin.</summary>
    public Task<string> LoginAdminAsync() => Node.Http.LoginAsync(Admin.ClientId, Admin.ClientSecret);
}

public sealed class SqliteNodeFixture : NodeFixture
{
    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());
}

public sealed class PostgresNodeFixture : NodeFixture
{
    protected override Task<StoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

/// <summary>Dev mode on SQLite (dev issuer, loopback http providers).</summary>
public class DevNodeFixture : NodeFixture
{
    protected override bool Dev => true;

    protected override Task<StoreBackend> CreateBackendAsync() => Task.FromResult<StoreBackend>(new SqliteBackend());
}

/// <summary>Dev mode on PostgreSQL.</summary>
public sealed class PostgresDevNodeFixture : DevNodeFixture
{
    protected override Task<StoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}
