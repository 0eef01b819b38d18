using WorkloadFederation.Cel.Conformance;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Cel.Tests.Conformance;

/// <summary>Runs the CEL specification's conformance files so that a regression fails the suite.</summary>
public sealed class ConformanceSuiteTests
{
    private static readonly SkipList Skips = SkipList.Load(Path.Combine(RepoPaths.Root, "tests", "Cel.Conformance", "skips.txt"));

    private static readonly string[] Targets =
    [
        "basic", "comparisons", "conversions", "fields", "fp_math", "integer_math", "lists", "logic", "macros",
        "macros2", "namespace", "optionals", "parse", "plumbing", "string", "string_ext", "timestamps",
    ];

    public static TheoryData<string> TargetFiles => new(Targets);

    public static TheoryData<string> ExtensionFiles => new()
    {
        "bindings_ext", "block_ext", "encoders_ext", "math_ext", "network_ext", "type_deduction", "unknowns",
    };

    [Theory]
    [MemberData(nameof(TargetFiles))]
    public void Conformance_TargetFile_AllUnlistedCasesPass(string file) => AssertFile(file, minimumPassed: 1);

    [Theory]
    [MemberData(nameof(ExtensionFiles))]
    public void Conformance_ExtensionFile_NoUnlistedFailures(string file) => AssertFile(file, minimumPassed: 0);

    [Fact]
    public void Conformance_TargetFiles_AtLeast98PercentOfNonProtoCasesPass()
    {
        int passed = 0, total = 0;
        foreach (var file in Targets)
        {
            var results = ConformanceRunner.RunFile(RepoPaths.Conformance("cel", file + ".json"), SkipList.Empty);
            foreach (var r in results.Where(r => r.Outcome != CaseOutcome.Skipped))
            {
                total++;
                if (r.Outcome == CaseOutcome.Passed) passed++;
            }
        }

        Assert.True(total > 1000, $"only {total} cases found");
        Assert.True(passed >= total * 0.98, $"{passed} of {total} non-protobuf cases pass");
    }

    private static void AssertFile(string file, int minimumPassed)
    {
        var path = RepoPaths.Conformance("cel", file + ".json");
        Assert.True(File.Exists(path), "missing conformance file " + path);
        var results = ConformanceRunner.RunFile(path, Skips);
        var failures = results.Where(r => r.Outcome == CaseOutcome.Failed)
            .Select(r => $"{r.Section}/{r.Name}: {r.Expr} -> {r.Detail}")
            .ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} failing cases in {file}:\n" + string.Join("\n", failures.Take(20)));
        Assert.True(results.Count(r => r.Outcome == CaseOutcome.Passed) >= minimumPassed, $"no case of {file} ran");
    }
}
