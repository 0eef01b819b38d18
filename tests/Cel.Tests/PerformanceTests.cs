using System.Text;
using Xunit;

namespace WorkloadFederation.Cel.Tests;

/// <summary>Allocation and footprint guards for the hot path (timings live in bench/Benchmarks/Cel).</summary>
public sealed class PerformanceTests
{
    private static readonly CelEnvironment Env = CelEnvironment.CreateBuilder()
        .DeclareVariable("claims", CelType.Map(CelType.String, CelType.Dyn))
        .WithLimits(CelLimits.Default with { MaxSourceBytes = 1024 })
        .Build();

    private static readonly byte[] Payload = Encoding.UTF8.GetBytes(
        """{"sub":"repo:acme/infra:environment:production","repository":"acme/infra","environment":"production","ref":"refs/heads/main","repository_owner":"acme","actor":"octocat","run_id":"1","iat":1732230300}""");

    public static TheoryData<string, string> ZeroAllocationConditions => new()
    {
        { "equality_pair", "claims.repository == \"acme/infra\" && claims.environment == \"production\"" },
        { "index_form", "claims[\"repository\"] == \"acme/infra\" || claims.ref == \"refs/heads/main\"" },
        { "starts_with", "claims.sub.startsWith(\"repo:acme/\") && claims.repository_owner != \"evil\"" },
        { "in_list", "claims.actor in [\"octocat\", \"hubot\"] && has(claims.run_id)" },
    };

    [Theory]
    [MemberData(nameof(ZeroAllocationConditions))]
    public void Evaluate_TrustCondition_AllocatesNothing(string name, string source)
    {
        var program = Env.CompileCondition(source).Program!;
        var activation = CelActivation.Create().Bind("claims", CelValue.FromJson(Payload));
        Assert.True(program.Evaluate(activation).IsTrue, name);
        for (var i = 0; i < 100; i++) program.Evaluate(activation);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var trueCount = 0;
        for (var i = 0; i < 10_000; i++)
        {
            if (program.Evaluate(activation).IsTrue) trueCount++;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, trueCount);
        Assert.True(allocated == 0, $"{name}: {allocated} bytes allocated over 10,000 evaluations");
    }
}
