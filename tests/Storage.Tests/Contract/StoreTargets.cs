using WorkloadFederation.Storage;
using WorkloadFederation.Storage.Dialects;
using WorkloadFederation.Storage.Sql;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Storage.Tests.Contract;

/// <summary>A database the contract suite runs against; <see cref="Open"/> gives a new, independent store instance.</summary>
public interface IStoreTarget : IAsyncDisposable
{
    string Name { get; }

    IFederationStore Open(TimeProvider timeProvider);

    /// <summary>Makes <paramref name="store"/> ready to be woken (PostgreSQL: its listener is listening).</summary>
    Task PrepareToWaitAsync(IFederationStore store);
}

public sealed class SqliteTarget : IStoreTarget
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wif-storage-").FullName;

    public string Name => "sqlite";

    public string DataDirectory => _directory;

    public IFederationStore Open(TimeProvider timeProvider) => StoreFactory.CreateSqlite(_directory, timeProvider);

    public Task PrepareToWaitAsync(IFederationStore store) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A store still open on Windows; the temp folder is cleaned by the OS.
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresTarget(PostgresTestDatabase database) : IStoreTarget
{
    public string Name => "postgres";

    public PostgresTestDatabase Database => database;

    public static async Task<PostgresTarget> CreateAsync() => new(await PostgresTestDatabase.CreateAsync());

    public IFederationStore Open(TimeProvider timeProvider) => StoreFactory.CreatePostgres(database.ConnectionString, timeProvider);

    public Task PrepareToWaitAsync(IFederationStore store) =>
        ((PostgresDialect)((SqlFederationStore)store).SqlDialect).Listener.EnsureListeningAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

    public ValueTask DisposeAsync() => database.DisposeAsync();
}

/// <summary>One database per test class, migrated once; tests use their own tenants so they do not interfere.</summary>
public abstract class StoreFixture : IAsyncLifetime
{
    private IStoreTarget? _target;
    private IFederationStore? _store;

    public ManualTimeProvider Time { get; } = new();

    public IStoreTarget Target => _target ?? throw new InvalidOperationException("Not initialised.");

    public IFederationStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A fresh, empty database (the test disposes it).</summary>
    public abstract Task<IStoreTarget> CreateTargetAsync();

    public async Task InitializeAsync()
    {
        _target = await CreateTargetAsync();
        _store = _target.Open(Time);
        await _store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
    }
}

public sealed class SqliteStoreFixture : StoreFixture
{
    public override Task<IStoreTarget> CreateTargetAsync() => Task.FromResult<IStoreTarget>(new SqliteTarget());
}

public sealed class PostgresStoreFixture : StoreFixture
{
    public override async Task<IStoreTarget> CreateTargetAsync() => await PostgresTarget.CreateAsync();
}
