using Npgsql;
using WorkloadFederation.Storage.Changes;
using WorkloadFederation.Storage.Dialects;
using WorkloadFederation.Storage.Sql;
using WorkloadFederation.Storage.Tests.Contract;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Storage.Tests.Postgres;

/// <summary>PostgreSQL-only behaviour: the LISTEN connection's recovery, advisory-locked migrations, safe errors.</summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private PostgresTestDatabase? _database;

    private PostgresTestDatabase Database => _database ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Listener_ConnectionKilled_ReconnectsAndIsWokenAgain()
    {
        await using var writer = StoreFactory.CreatePostgres(Database.ConnectionString, _time);
        await using var follower = StoreFactory.CreatePostgres(Database.ConnectionString, _time);
        await writer.MigrateAsync(CancellationToken.None);
        var listener = ((PostgresDialect)((SqlFederationStore)follower).SqlDialect).Listener;
        await listener.EnsureListeningAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(1, listener.Connects);

        await using (var admin = new NpgsqlConnection(Database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @app AND datname = current_database()", admin);
            kill.Parameters.AddWithValue("app", PostgresChangeListener.ApplicationName);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        // The listener notices, backs off briefly and listens again (bounded wait on the condition).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (listener.Connects < 2 && DateTime.UtcNow < deadline)
        {
            await follower.WaitForChangeAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }

        Assert.Equal(2, listener.Connects);
        await follower.WaitForChangeAsync(TimeSpan.Zero, CancellationToken.None);
        var waiting = follower.WaitForChangeAsync(TimeSpan.FromSeconds(120), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        await writer.CreateTenantAsync(Samples.Tenant("after-reconnect.example.com"), CancellationToken.None);

        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20))));
    }

    [Fact]
    public async Task Migrate_ChangedMigrationText_StopsWithAClearError()
    {
        await using var store = StoreFactory.CreatePostgres(Database.ConnectionString, _time);
        await store.MigrateAsync(CancellationToken.None);
        await using (var admin = new NpgsqlConnection(Database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var tamper = new NpgsqlCommand("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1", admin);
            await tamper.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.MigrateAsync(CancellationToken.None));

        Assert.Contains("V001_Initial", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreatePostgres_MalformedConnectionString_ErrorDoesNotEchoIt()
    {
        var error = Assert.Throws<ArgumentException>(
            () => StoreFactory.CreatePostgres("Host=db;Password=hunter2-secret;Bogus Keyword=1", _time));

        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }
}
