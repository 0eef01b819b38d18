using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using WorkloadFederation.Storage.Sql;

namespace WorkloadFederation.Benchmarks.Storage;

/// <summary>
/// Replay marks under concurrency on SQLite, as 32 connections of client-assertion load make them: 32 callers mark
/// 50 new keys each. "before" is the path this replaced (each mark its own write transaction and fsync, one after
/// another through the writer gate), reproduced below; "after" is the store's, which commits the marks that arrive
/// while one transaction commits together. Time is per mark.
///   dotnet run -c Release --project bench/Benchmarks -- --filter '*ReplayMarkBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class ReplayMarkBenchmarks
{
    private const int Callers = 32;
    private const int MarksEach = 50;
    private const string MarkSql =
        "INSERT INTO replay_marks (mark_key, expires_at) VALUES (@key, @expires) "
        + "ON CONFLICT (mark_key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_marks.expires_at <= @now";

    private BenchStore _bench = null!;

    [GlobalSetup]
    public void Setup() => _bench = BenchStore.Open("sqlite");

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * MarksEach, Description = "32 callers, one transaction a mark (before)")]
    public void OneTransactionEach() => RunAsync(LegacyMarkAsync).GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Callers * MarksEach, Description = "32 callers, store marks (after)")]
    public void StoreMarks() => RunAsync(key => _bench.Store.TryMarkAsync(key, DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None)).GetAwaiter().GetResult();

    private static async Task RunAsync(Func<string, Task<bool>> mark) =>
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < MarksEach; i++)
            {
                if (!await mark("jti-" + Guid.NewGuid().ToString("N")))
                {
                    throw new InvalidOperationException("a new key was refused");
                }
            }
        })));

    private async Task<bool> LegacyMarkAsync(string key)
    {
        var dialect = ((SqlFederationStore)_bench.Store).SqlDialect;
        using var writer = await dialect.EnterWriterAsync(CancellationToken.None);
        await using var connection = await dialect.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = MarkSql;
        foreach (var (name, value) in new (string, object)[]
        {
            ("@key", key), ("@expires", dialect.ToDb(DateTimeOffset.UtcNow.AddMinutes(5))), ("@now", dialect.ToDb(DateTimeOffset.UtcNow)),
        })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return await command.ExecuteNonQueryAsync(CancellationToken.None) == 1;
    }

    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(8)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
    }
}
