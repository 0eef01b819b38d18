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

    [Theory]
    [InlineData("22021", nameof(DbErrorKind.PermanentRefusal))] // character_not_in_repertoire (U+0000 in text)
    [InlineData("22P05", nameof(DbErrorKind.PermanentRefusal))] // untranslatable_character
    [InlineData("22001", nameof(DbErrorKind.PermanentRefusal))] // string_data_right_truncation
    [InlineData("22008", nameof(DbErrorKind.PermanentRefusal))] // datetime_field_overflow
    [InlineData("23502", nameof(DbErrorKind.PermanentRefusal))] // not_null_violation
    [InlineData("23514", nameof(DbErrorKind.PermanentRefusal))] // check_violation
    [InlineData("23505", nameof(DbErrorKind.UniqueViolation))]
    [InlineData("23503", nameof(DbErrorKind.ForeignKeyViolation))]
    [InlineData("40001", nameof(DbErrorKind.Other))] // serialization_failure: retry
    [InlineData("08006", nameof(DbErrorKind.Other))] // connection_failure: retry
    [InlineData("57P01", nameof(DbErrorKind.Other))] // admin_shutdown: retry
    [InlineData("53300", nameof(DbErrorKind.Other))] // too_many_connections: retry
    public async Task Classify_SqlState_PermanentRefusalsAreClassesTwentyTwoAndTwentyThree(string sqlState, string expected)
    {
        await using var store = StoreFactory.CreatePostgres(Database.ConnectionString, _time);
        var dialect = ((SqlFederationStore)store).SqlDialect;

        Assert.Equal(expected, dialect.Classify(new PostgresException("refused", "ERROR", "ERROR", sqlState)).ToString());
    }

    [Fact]
    public async Task Append_ValueTheServerRefuses_IsAStoreRefusalNotAnOutage()
    {
        // A real refusal from the server: a CHECK constraint added for the test (SQLSTATE 23514).
        await using var store = StoreFactory.CreatePostgres(Database.ConnectionString, _time);
        await store.MigrateAsync(CancellationToken.None);
        await using (var admin = new NpgsqlConnection(Database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var check = new NpgsqlCommand("ALTER TABLE audit_events ADD CONSTRAINT no_forbidden CHECK (reason <> 'forbidden')", admin);
            await check.ExecuteNonQueryAsync();
        }

        var refused = await Assert.ThrowsAsync<Federation.Store.StoreRefusedException>(() =>
            store.AppendAsync([Samples.Audit("refusal.example.com", 1) with { Reason = "forbidden" }], CancellationToken.None));
        Assert.IsType<PostgresException>(refused.InnerException);

        // The audit writer drops only the refused event; the events around it reach the store.
        var writer = new Federation.Audit.AuditWriter(store, new Federation.Audit.AuditOptions(), _time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Federation.Audit.AuditWriter>.Instance);
        writer.Record(Samples.Audit("refusal.example.com", 2));
        writer.Record(Samples.Audit("refusal.example.com", 3) with { Reason = "forbidden" });
        writer.Record(Samples.Audit("refusal.example.com", 4));
        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(1, writer.Dropped);
        var stored = await store.QueryAsync("refusal.example.com", 0, 10, CancellationToken.None);
        Assert.Equal(["event 2", "event 4"], stored.Events.Select(e => e.Event.Detail));
    }
}
