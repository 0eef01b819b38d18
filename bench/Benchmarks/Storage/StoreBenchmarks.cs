using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Storage;

namespace WorkloadFederation.Benchmarks.Storage;

/// <summary>
/// Store latencies per dialect: a configuration write (one transaction, new version, change row, fsync),
/// a replay mark, a 100-event audit batch, a change-feed read, and a write observed by a second instance
/// (the wake-up a node relies on to apply a revoke). PostgreSQL runs only when WIF_BENCH_POSTGRES holds a
/// connection string to an empty scratch database.
///   dotnet run -c Release --project bench/Benchmarks -- --filter '*StoreBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class StoreBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private string? _directory;
    private IFederationStore _store = null!;
    private IFederationStore _follower = null!;
    private long _counter;
    private long _feedStart;
    private List<AuditEvent> _batch = null!;

    [ParamsSource(nameof(Dialects))]
    public string Dialect { get; set; } = "sqlite";

    public static IEnumerable<string> Dialects => BenchStore.Dialects;

    // Synchronous: the in-process toolchain does not await an async setup.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        if (Dialect == "postgres")
        {
            var connectionString = Environment.GetEnvironmentVariable("WIF_BENCH_POSTGRES")!;
            _store = StoreFactory.CreatePostgres(connectionString, TimeProvider.System);
            _follower = StoreFactory.CreatePostgres(connectionString, TimeProvider.System);
        }
        else
        {
            _directory = Directory.CreateTempSubdirectory("wif-bench-").FullName;
            _store = StoreFactory.CreateSqlite(_directory, TimeProvider.System);
            _follower = StoreFactory.CreateSqlite(_directory, TimeProvider.System);
        }

        await _store.MigrateAsync(CancellationToken.None);
        try
        {
            await _store.CreateTenantAsync(new Tenant("bench.example.com", T0), CancellationToken.None);
        }
        catch (StoreConflictException)
        {
            // Each benchmark case sets up again on the same PostgreSQL database.
        }

        _feedStart = await _store.GetVersionAsync(CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            await SavePrincipal("feed" + i);
        }

        _batch = Enumerable.Range(0, 100)
            .Select(i => new AuditEvent(T0, "token.issued", "bench.example.com", "allowed", "ok", "sp", ClientIp: "192.0.2.1", Detail: "n" + i))
            .ToList();
        await _follower.WaitForChangeAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    private async Task CleanupAsync()
    {
        await _follower.DisposeAsync();
        await _store.DisposeAsync();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark(Description = "config write (upsert principal)")]
    public Task<long> SavePrincipalWrite() => SavePrincipal("sp" + (Interlocked.Increment(ref _counter) % 1000));

    [Benchmark(Description = "replay mark (new key)")]
    public Task<bool> TryMark() =>
        _store.TryMarkAsync("jti-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);

    [Benchmark(Description = "audit append (batch of 100)")]
    public Task AppendAudit() => _store.AppendAsync(_batch, CancellationToken.None);

    [Benchmark(Description = "change feed read (100 changes)")]
    public Task ReadChanges() => _store.ReadChangesAsync(_feedStart, 100, CancellationToken.None);

    [Benchmark(Description = "write seen by a second instance")]
    public async Task WriteObservedByFollower()
    {
        await _follower.WaitForChangeAsync(TimeSpan.Zero, CancellationToken.None);
        var woken = _follower.WaitForChangeAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await SavePrincipal("watched");
        await woken;
    }

    private Task<long> SavePrincipal(string id) => _store.SavePrincipalAsync(
        new ServicePrincipal(id, "bench.example.com", "bench", ["Basic User"], [], true, T0, T0),
        CancellationToken.None);

    /// <summary>
    /// In-process: the project's assembly name (WorkloadFederation.Benchmarks) differs from its file name, which the
    /// default out-of-process toolchain cannot resolve; a short job keeps the run small on shared CPUs.
    /// </summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(10));
    }
}
