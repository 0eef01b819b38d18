using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using WorkloadFederation.Benchmarks.Ed25519;

namespace WorkloadFederation.Benchmarks.Exchange;

/// <summary>
/// The whole in-process exchange of <see cref="ExchangeBenchmarks"/> run by a former build (own access-token writer,
/// loaded in an isolated context from <c>WIF_BENCH_BASELINE_DIR</c>) and by this build (access tokens written and
/// signed through Microsoft.IdentityModel) in one run.
/// Run: <c>WIF_BENCH_BASELINE_DIR=&lt;former build&gt; dotnet run -c Release --project bench/Benchmarks -- --filter '*IssuerAdoptionBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BoundedInProcessConfig))]
public class IssuerAdoptionBenchmarks
{
    private Func<bool> _former = null!;
    private ExchangeBenchmarks _current = null!;

    [GlobalSetup]
    public void Setup()
    {
        _former = BaselineLoader.CreateFormer(typeof(ExchangeBenchmarks), nameof(ExchangeBenchmarks.Setup), nameof(ExchangeBenchmarks.ExchangeSucceeds));
        _current = new ExchangeBenchmarks();
        _current.Setup();
        if (!_former() || !_current.ExchangeSucceeds())
        {
            throw new InvalidOperationException("a benchmark exchange was refused");
        }
    }

    [Benchmark(Baseline = true, Description = "exchange: former build (own writer)")]
    public bool FormerExchange() => _former();

    [Benchmark(Description = "exchange: this build (IdentityModel writer)")]
    public bool CurrentExchange() => _current.ExchangeSucceeds();
}
