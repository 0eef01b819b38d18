using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Telemetry;

namespace WorkloadFederation.Benchmarks.Exchange;

/// <summary>
/// The whole in-process exchange of <see cref="ExchangeBenchmarks"/> without any telemetry listener (what the node
/// runs when no exporter is configured) and with the OpenTelemetry SDK listening to the Federation meter and
/// activity source (every span sampled and processed, every measurement aggregated), in one run.
/// Run: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*TelemetryOverheadBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BoundedInProcessConfig))]
public class TelemetryOverheadBenchmarks
{
    private readonly ExchangeBenchmarks _exchange = new();
    private TracerProvider? _tracer;
    private MeterProvider? _meter;

    /// <summary>False: nothing listens (no exporter configured). True: the SDK collects spans and metrics.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Listening)
        {
            _tracer = Sdk.CreateTracerProviderBuilder()
                .AddSource(FederationTelemetry.Name)
                .SetSampler(new AlwaysOnSampler())
                .AddProcessor(new DiscardingProcessor())
                .Build();
            _meter = Sdk.CreateMeterProviderBuilder()
                .AddMeter(FederationTelemetry.Name)
                .AddInMemoryExporter(new List<Metric>(), reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue)
                .Build();
        }

        _exchange.Setup();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tracer?.Dispose();
        _meter?.Dispose();
    }

    [Benchmark(Description = "whole exchange")]
    public GrantResult Exchange() => _exchange.Exchange();

    /// <summary>Ends every span without exporting it: the cost measured is creating and recording spans.</summary>
    private sealed class DiscardingProcessor : BaseProcessor<Activity>
    {
    }
}
