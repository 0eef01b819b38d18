using System.Text.Json;
using WorkloadFederation.Federation.Conditions;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Conditions;

public sealed class CelTrustConditionCompilerTests
{
    private static readonly CelTrustConditionCompiler Compiler = CelTrustConditionCompiler.Instance;

    private static JsonElement Claims(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("claims.repository == 'acme/app'", ConditionOutcome.Met)]
    [InlineData("claims.repository == 'acme/other'", ConditionOutcome.NotMet)]
    [InlineData("claims.ref.startsWith('refs/heads/') && claims.ref_protected == 'true'", ConditionOutcome.Met)]
    [InlineData("claims.environment == 'production'", ConditionOutcome.Error)]
    [InlineData("'environment' in claims && claims.environment == 'production'", ConditionOutcome.NotMet)]
    [InlineData("claims.run_number > 10", ConditionOutcome.Met)]
    [InlineData("claims.repository + 1 == 2", ConditionOutcome.Error)]
    public void Evaluate_Condition_GivesOutcome(string condition, ConditionOutcome expected)
    {
        var compiled = Compiler.Compile(condition);
        Assert.True(compiled.IsCompiled, string.Join("; ", compiled.Errors));

        var result = compiled.Evaluate(Claims("""{"repository":"acme/app","ref":"refs/heads/main","ref_protected":"true","run_number":42}"""));

        Assert.Equal(expected, result.Outcome);
    }

    [Fact]
    public void Evaluate_MissingClaim_NamesTheKeyAndTheKeysPresent()
    {
        var compiled = Compiler.Compile("claims.environment == 'production'");

        var result = compiled.Evaluate(Claims("""{"sub":"repo:acme/app","repository":"acme/app"}"""));

        Assert.Equal(ConditionOutcome.Error, result.Outcome);
        Assert.Equal("claims has no key 'environment'; keys present: sub, repository", result.Detail);
    }

    [Theory]
    [InlineData("claims.repository == \"acme/infra\" && claims.environment == \"production\"",
        "condition evaluated to false; claims it reads: repository = \"acme/infra\", environment = \"staging\"")]
    [InlineData("claims['environment'] == 'production' || claims.sub.startsWith('repo:acme/infra:')",
        "condition evaluated to false; claims it reads: environment = \"staging\", sub = \"repo:acme/app:ref:refs/heads/main\"")]
    [InlineData("claims.repository == 'acme/app' || claims.repository.endsWith('/other')",
        "condition evaluated to false; claims it reads: repository = \"acme/infra\"")]
    [InlineData("claims.run_number > 100 && has(claims.deploy)",
        "condition evaluated to false; claims it reads: run_number = 42, deploy (absent)")]
    public void Evaluate_FalseCondition_ShowsTheClaimsItReads(string condition, string expectedDetail)
    {
        var compiled = Compiler.Compile(condition);
        Assert.True(compiled.IsCompiled, string.Join("; ", compiled.Errors));

        var result = compiled.Evaluate(Claims("""{"repository":"acme/infra","environment":"staging","sub":"repo:acme/app:ref:refs/heads/main","run_number":42}"""));

        Assert.Equal(ConditionOutcome.NotMet, result.Outcome);
        Assert.Equal(expectedDetail, result.Detail);
    }

    [Fact]
    public void Evaluate_FalseCondition_TruncatesLongClaimValues()
    {
        var compiled = Compiler.Compile("claims.blob == 'x'");

        var result = compiled.Evaluate(Claims($$"""{"blob":"{{new string('a', 500)}}"}"""));

        Assert.Equal(ConditionOutcome.NotMet, result.Outcome);
        Assert.EndsWith("...", result.Detail, StringComparison.Ordinal);
        Assert.True(result.Detail.Length < 160, result.Detail);
    }

    [Fact]
    public void Evaluate_MissingNestedKey_KeepsTheEngineMessage()
    {
        var compiled = Compiler.Compile("claims.ctx.stage == 'prod'");

        var result = compiled.Evaluate(Claims("""{"ctx":{"other":1}}"""));

        Assert.Equal(ConditionOutcome.Error, result.Outcome);
        Assert.DoesNotContain("keys present", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_SyntaxError_ReportsPosition()
    {
        var compiled = Compiler.Compile("claims.repository ==\n  'acme/app' &&");

        Assert.False(compiled.IsCompiled);
        var error = compiled.Errors[0];
        Assert.True(error.Line >= 1 && error.Column >= 1);
        Assert.Equal(ConditionOutcome.Error, compiled.Evaluate(Claims("{}")).Outcome);
    }

    [Fact]
    public void Compile_NonBoolean_IsRefused()
    {
        var compiled = Compiler.Compile("claims.repository");

        Assert.True(compiled.IsCompiled || compiled.Errors.Count > 0);
        if (compiled.IsCompiled)
        {
            // dyn-typed: refused at evaluation instead.
            Assert.NotEqual(ConditionOutcome.Met, compiled.Evaluate(Claims("""{"repository":"x"}""")).Outcome);
        }
    }

    [Fact]
    public void Compile_IntLiteral_IsRefusedAsNotBool()
    {
        var compiled = Compiler.Compile("1 + 2");

        Assert.False(compiled.IsCompiled);
        Assert.Contains(compiled.Errors, e => e.Message.Contains("bool", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_Over1024Bytes_IsRefusedNamingTheLimit()
    {
        var condition = "claims.repository == '" + new string('a', 1024) + "'";

        var compiled = Compiler.Compile(condition);

        Assert.False(compiled.IsCompiled);
        Assert.Contains("1024", compiled.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_Exactly1024Bytes_IsAccepted()
    {
        var prefix = "claims.repository == '";
        var condition = prefix + new string('a', 1024 - prefix.Length - 1) + "'";
        Assert.Equal(1024, condition.Length);

        Assert.True(Compiler.Compile(condition).IsCompiled);
    }
}

public sealed class TrustConditionsTests
{
    [Fact]
    public void Check_ValidCondition_IsNull()
    {
        Assert.Null(TrustConditions.Check(CelTrustConditionCompiler.Instance, "claims.ref == 'refs/heads/main'"));
    }

    [Fact]
    public void Check_BrokenCondition_NamesLineAndColumn()
    {
        var error = TrustConditions.Check(CelTrustConditionCompiler.Instance, "claims.ref == 'main' &&\n   claims.x ==");

        Assert.NotNull(error);
        Assert.Equal(2, error.Line);
        Assert.StartsWith("condition: line 2, column ", TrustConditions.Describe(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Check_Empty_IsRefused(string? condition)
    {
        Assert.Equal("the condition is empty", TrustConditions.Check(CelTrustConditionCompiler.Instance, condition)!.Message);
    }
}
