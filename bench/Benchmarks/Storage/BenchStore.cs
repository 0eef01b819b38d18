using WorkloadFederation.Storage;

namespace WorkloadFederation.Benchmarks.Storage;

/// <summary>
/// A migrated store for a storage benchmark: SQLite in a fresh temporary folder, or PostgreSQL when
/// WIF_BENCH_POSTGRES holds a connection string to a scratch database.
/// </summary>
internal sealed class BenchStore : IDisposable
{
    private readonly string? _directory;

    private BenchStore(IFederationStore store, string? directory)
    {
        Store = store;
        _directory = directory;
    }

    /// <summary>The dialects to run: always SQLite, PostgreSQL when configured.</summary>
    public static IEnumerable<string> Dialects =>
        Environment.GetEnvironmentVariable("WIF_BENCH_POSTGRES") is { Length: > 0 } ? ["sqlite", "postgres"] : ["sqlite"];

    public IFederationStore Store { get; }

    public static BenchStore Open(string dialect)
    {
        BenchStore bench;
        if (dialect == "postgres")
        {
            bench = new BenchStore(StoreFactory.CreatePostgres(Environment.GetEnvironmentVariable("WIF_BENCH_POSTGRES")!, TimeProvider.System), null);
        }
        else
        {
            var directory = Directory.CreateTempSubdirectory("wif-bench-").FullName;
            bench = new BenchStore(StoreFactory.CreateSqlite(directory, TimeProvider.System), directory);
        }

        bench.Store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        return bench;
    }

    public void Dispose()
    {
        Store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
