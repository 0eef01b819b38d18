using Microsoft.Data.Sqlite;
using WorkloadFederation.Storage.Dialects;
using WorkloadFederation.Storage.Sql;
using WorkloadFederation.Storage.Tests.Contract;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Storage.Tests.Sqlite;

/// <summary>SQLite-only behaviour: file placement and permissions, durability settings, migration integrity.</summary>
public sealed class SqliteStoreTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private readonly SqliteTarget _target = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Fact]
    public async Task CreateSqlite_DataDirectory_CreatesAnOwnerOnlyFileInIt()
    {
        await using var store = StoreFactory.CreateSqlite(_target.DataDirectory, _time);
        await store.MigrateAsync(CancellationToken.None);

        var file = Path.Combine(_target.DataDirectory, StoreFactory.SqliteFileName);
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task CreateSqlite_FilePathInAMissingFolder_CreatesTheFolderAndFile()
    {
        var file = Path.Combine(_target.DataDirectory, "nested", "custom.db");
        await using var store = StoreFactory.CreateSqlite(file, _time);
        await store.MigrateAsync(CancellationToken.None);

        Assert.True(File.Exists(file));
        Assert.Equal(1, await store.CreateTenantAsync(Samples.Tenant("a.example.com"), CancellationToken.None));
    }

    [Fact]
    public async Task CreateSqlite_MissingFolderWithTrailingSeparator_CreatesTheFolderAndTheDefaultFile()
    {
        var folder = Path.Combine(_target.DataDirectory, "fresh") + Path.DirectorySeparatorChar;
        await using var store = StoreFactory.CreateSqlite(folder, _time);
        await store.MigrateAsync(CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(folder, StoreFactory.SqliteFileName)));
    }

    [Fact]
    public async Task Open_AnyConnection_UsesWalWithFullSynchronousCommits()
    {
        await using var store = StoreFactory.CreateSqlite(_target.DataDirectory, _time);
        await store.MigrateAsync(CancellationToken.None);
        var dialect = ((SqlFederationStore)store).SqlDialect;

        await using var connection = await dialect.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(2L, await command.ExecuteScalarAsync()); // 2 = FULL
        command.CommandText = "PRAGMA foreign_keys";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_ChangedMigrationText_StopsWithAClearError()
    {
        await using var store = StoreFactory.CreateSqlite(_target.DataDirectory, _time);
        await store.MigrateAsync(CancellationToken.None);
        var file = ((SqliteDialect)((SqlFederationStore)store).SqlDialect).FilePath;
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE schema_migrations SET checksum = 'x' WHERE version = 1";
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.MigrateAsync(CancellationToken.None));

        Assert.Contains("V001_Initial", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_AfterDispose_RefusesCalls()
    {
        var store = StoreFactory.CreateSqlite(_target.DataDirectory, _time);
        await store.MigrateAsync(CancellationToken.None);
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetVersionAsync(CancellationToken.None));
    }
}
