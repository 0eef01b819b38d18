using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using WorkloadFederation.Cel;

namespace WorkloadFederation.Benchmarks.Cel;

/// <summary>Evaluation of a compiled trust condition against a bound 25-claim payload (target: median ≤ 300 ns, 0 B).</summary>
[MemoryDiagnoser]
[MedianColumn]
[InProcess] // the assembly name differs from the project name, which the out-of-process toolchain cannot locate
public class CelEvaluateBenchmarks
{
    private CelProgram _program = null!;
    private CelActivation _activation = null!;

    [GlobalSetup]
    public void Setup()
    {
        _program = CelBenchmarkData.Environment.CompileCondition(CelBenchmarkData.HotCondition).Program!;
        _activation = CelActivation.Create().Bind("claims", CelValue.FromJson(CelBenchmarkData.GitHubActionsPayload));
        if (!_program.Evaluate(_activation).IsTrue) throw new InvalidOperationException("benchmark condition must be true");
    }

    [Benchmark]
    public bool EvaluateTrustCondition() => _program.Evaluate(_activation).IsTrue;
}

/// <summary>Compilation of a 1024-byte condition (target: ≤ 100 µs).</summary>
[MemoryDiagnoser]
[MedianColumn]
[InProcess] // the assembly name differs from the project name, which the out-of-process toolchain cannot locate
public class CelCompileBenchmarks
{
    [GlobalSetup]
    public void Setup()
    {
        var result = CelBenchmarkData.Environment.CompileCondition(CelBenchmarkData.Condition1024);
        if (!result.Success) throw new InvalidOperationException(result.FormatErrors());
    }

    [Benchmark]
    public CelProgram Compile1024ByteCondition() => CelBenchmarkData.Environment.CompileCondition(CelBenchmarkData.Condition1024).Program!;

    [Benchmark]
    public CelProgram CompileHotCondition() => CelBenchmarkData.Environment.CompileCondition(CelBenchmarkData.HotCondition).Program!;
}

/// <summary>
/// Bytes retained per compiled program when 100,000 distinct trust conditions are held in memory (aim: ≤ 4 KB).
/// The figure is measured with <see cref="GC.GetTotalMemory(bool)"/> around the set and printed in the log;
/// the benchmark itself times compiling the whole set.
/// </summary>
[Config(typeof(SingleShotConfig))]
public class CelProgramFootprintBenchmarks
{
    private sealed class SingleShotConfig : ManualConfig
    {
        public SingleShotConfig()
        {
            // Each operation compiles 100,000 programs: a few cold iterations, in process (see the other classes).
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }

    public const int Count = 100_000;

    [Benchmark(OperationsPerInvoke = Count)]
    public object Compile100kDistinctConditions()
    {
        var (programs, bytesPerProgram) = MeasureRetainedBytes();
        Console.WriteLine($"// retained bytes per compiled program ({Count:N0} distinct): {bytesPerProgram:F0}");
        return programs;
    }

    public static (CelProgram[] Programs, double BytesPerProgram) MeasureRetainedBytes()
    {
        var sources = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            sources[i] = $"claims.repository == \"acme/service-{i:D6}\" && claims.environment == \"production\" && claims.ref == \"refs/heads/main\"";
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var programs = new CelProgram[Count];
        for (var i = 0; i < Count; i++) programs[i] = CelBenchmarkData.Environment.CompileCondition(sources[i]).Program!;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(sources);
        return (programs, (after - before - (long)Count * IntPtr.Size) / (double)Count);
    }
}
