using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace WorkloadFederation.Benchmarks;

/// <summary>
/// In process (the assembly name differs from the project file name, which the out-of-process toolchain cannot
/// resolve); one launch, 5 warm-ups and 20 iterations: bounded for the shared 2-core machine.
/// </summary>
public sealed class BoundedInProcessConfig : ManualConfig
{
    public BoundedInProcessConfig() =>
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(20));
}
