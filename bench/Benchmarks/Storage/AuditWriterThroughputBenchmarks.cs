using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Benchmarks.Storage;

/// <summary>
/// The whole audit path sustained: four producers record 200,000 events through <see cref="AuditWriter"/> (honouring
/// back-pressure, as the token endpoint does) while its background loop appends them to a real store; one
/// operation = one event from record to committed, so events/s = 1e9 / mean ns. PostgreSQL runs only when
/// WIF_BENCH_POSTGRES holds a connection string to a scratch database.
///   WIF_BENCH_POSTGRES='Host=127.0.0.1;...' dotnet run -c Release --project bench/Benchmarks -- --filter '*AuditWriterThroughput*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class AuditWriterThroughputBenchmarks
{
    private const int Events = 200_000;
    private const int Producers = 4;
    private BenchStore _bench = null!;

    [ParamsSource(nameof(Dialects))]
    public string Dialect { get; set; } = "sqlite";

    public static IEnumerable<string> Dialects => AuditAppendBenchmarks.Dialects;

    [GlobalSetup]
    public void Setup()
    {
        _bench = BenchStore.Open(Dialect);
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [Benchmark(OperationsPerInvoke = Events, Description = "record → committed, 4 producers, back-pressure on")]
    public void RecordToCommitted() => RunAsync().GetAwaiter().GetResult();

    private async Task RunAsync()
    {
        var writer = new AuditWriter(_bench.Store, new AuditOptions(), TimeProvider.System, NullLogger<AuditWriter>.Instance);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => writer.RunAsync(stop.Token));
        var now = DateTimeOffset.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < Events / Producers; i++)
            {
                if (!await writer.WaitForRoomAsync(CancellationToken.None))
                {
                    throw new InvalidOperationException("the writer did not keep up within the back-pressure timeout");
                }

                writer.Record(new AuditEvent(
                    now, "token.issued", "acme.example.com", "allowed", "issued", "sp-7f3a9c", null, "tr-19be20",
                    "tr-19be20@acme.example.com", "127.0.0.1", "repo:acme/infra:environment:production", "p" + p.ToString(CultureInfo.InvariantCulture)));
            }
        })));
        while (writer.Written + writer.Dropped < Events)
        {
            await Task.Delay(1);
        }

        if (writer.Dropped != 0)
        {
            throw new InvalidOperationException($"{writer.Dropped} events dropped");
        }

        await stop.CancelAsync();
        await loop;
    }

    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(5)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
    }
}
