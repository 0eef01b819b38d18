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

    /// <summary>
    /// How many cases of each file pass today: a floor, so that a change that skips or stops running cases fails here
    /// instead of passing with fewer (raise a floor when a case starts passing). <c>unknowns.json</c> of the shared
    /// suite is an empty array (the upstream file's cases need protobuf messages), so its floor is 0 and its case
    /// count is asserted to be 0 too.
    /// </summary>
    private static readonly Dictionary<string, int> PassedFloor = new(StringComparer.Ordinal)
    {
        ["basic"] = 43, ["comparisons"] = 334, ["conversions"] = 109, ["fields"] = 60, ["fp_math"] = 30,
        ["integer_math"] = 64, ["lists"] = 39, ["logic"] = 30, ["macros"] = 44, ["macros2"] = 46, ["namespace"] = 14,
        ["optionals"] = 59, ["parse"] = 193, ["plumbing"] = 5, ["string"] = 51, ["string_ext"] = 213, ["timestamps"] = 78,
        ["bindings_ext"] = 8, ["block_ext"] = 25, ["encoders_ext"] = 4, ["math_ext"] = 199, ["network_ext"] = 69,
        ["type_deduction"] = 12, ["unknowns"] = 0,
    };

    private static readonly string[] Extensions =
    [
        "bindings_ext", "block_ext", "encoders_ext", "math_ext", "network_ext", "type_deduction", "unknowns",
    ];

    public static TheoryData<string> ExtensionFiles => new(Extensions);

    [Theory]
    [MemberData(nameof(TargetFiles))]
    public void Conformance_TargetFile_AllUnlistedCasesPass(string file) => AssertFile(file);

    [Theory]
    [MemberData(nameof(ExtensionFiles))]
    public void Conformance_ExtensionFile_NoUnlistedFailures(string file) => AssertFile(file);

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

    [Fact]
    public void Conformance_EveryFile_HasAFloor()
    {
        Assert.Equal(Targets.Concat(Extensions).Order(), PassedFloor.Keys.Order());
        Assert.All(Targets, file => Assert.True(PassedFloor[file] > 0, file));
    }

    private static void AssertFile(string file)
    {
        var minimumPassed = PassedFloor[file];
        var path = RepoPaths.Conformance("cel", file + ".json");
        Assert.True(File.Exists(path), "missing conformance file " + path);
        var results = ConformanceRunner.RunFile(path, Skips);
        var failures = results.Where(r => r.Outcome == CaseOutcome.Failed)
            .Select(r => $"{r.Section}/{r.Name}: {r.Expr} -> {r.Detail}")
            .ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} failing cases in {file}:\n" + string.Join("\n", failures.Take(20)));
        var passed = results.Count(r => r.Outcome == CaseOutcome.Passed);
        Assert.True(passed >= minimumPassed, $"{passed} cases of {file} pass; its floor is {minimumPassed}");
        if (minimumPassed == 0)
        {
            Assert.Empty(results);
        }
    }
}
