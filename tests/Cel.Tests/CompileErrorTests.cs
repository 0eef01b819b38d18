using Xunit;

namespace WorkloadFederation.Cel.Tests;

public sealed class CompileErrorTests
{
    private static readonly CelEnvironment Env = CelEnvironment.CreateBuilder()
        .DeclareVariable("claims", CelType.Map(CelType.String, CelType.Dyn))
        .WithLimits(CelLimits.Default with { MaxSourceBytes = 1024 })
        .Build();

    public static TheoryData<string, string, string, string?> Cases => new()
    {
        { "undeclared", "claimz.sub == 'x'", CelErrorCodes.UndeclaredReference, "claims" },
        { "single_equals", "claims.sub = 'x'", CelErrorCodes.Syntax, "==" },
        { "single_ampersand", "true & false", CelErrorCodes.Syntax, "&&" },
        { "unknown_function", "claims.sub.startWith('x')", CelErrorCodes.UnknownFunction, "startsWith" },
        { "wrong_arity", "size(1, 2)", CelErrorCodes.WrongArity, null },
        { "not_bool", "'abc'", CelErrorCodes.NotBool, null },
        { "bad_regex", "claims.sub.matches('(')", CelErrorCodes.InvalidRegex, null },
        { "unterminated", "'abc", CelErrorCodes.Syntax, null },
        { "too_large", new string('1', 1025), CelErrorCodes.SourceTooLarge, null },
        { "int_plus_uint", "1 + 1u == 2", CelErrorCodes.NoMatchingOverload, "uint(" },
        { "string_plus_int", "'a' + 1 == 'a1'", CelErrorCodes.NoMatchingOverload, "string(" },
        { "compare_string_int", "'a' < 1", CelErrorCodes.NoMatchingOverload, null },
        { "and_non_bool", "1 && true", CelErrorCodes.NoMatchingOverload, null },
        { "ternary_not_bool", "claims.a == 'x' ? 'y' : 'z'", CelErrorCodes.NotBool, null },
        { "message_literal", "Foo{a: 1}", CelErrorCodes.Unsupported, null },
        { "reserved_word", "package == 1", CelErrorCodes.Syntax, null },
        { "starts_with_int", "claims.sub.startsWith(1)", CelErrorCodes.NoMatchingOverload, "string(" },
        { "contains_on_int", "1.contains('a')", CelErrorCodes.NoMatchingOverload, null },
        { "size_of_int", "size(1) == 1", CelErrorCodes.NoMatchingOverload, null },
        { "too_deep", new string('(', 200) + "1" + new string(')', 200), CelErrorCodes.NestingTooDeep, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CompileCondition_BadSource_ReportsCodeAndHint(string name, string source, string code, string? hintFragment)
    {
        var result = Env.CompileCondition(source);
        Assert.False(result.Success, name);
        Assert.Null(result.Program);
        var error = Assert.Single(result.Errors);
        Assert.Equal(code, error.Code);
        if (hintFragment is not null) Assert.Contains(hintFragment, error.Hint ?? error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 1 && error.Column >= 1);
    }

    [Theory]
    [InlineData("zero_source", 0, 10, 10)]
    [InlineData("negative_cost", 10, 10, -1)]
    [InlineData("huge_depth", 10, 100_000, 10)]
    public void WithLimits_InvalidLimit_IsRefusedAtConfiguration(string name, int maxSource, int maxDepth, long maxCost)
    {
        var limits = CelLimits.Default with { MaxSourceBytes = maxSource, MaxNestingDepth = maxDepth, MaxCost = maxCost };
        var ex = Assert.Throws<ArgumentException>(() => CelEnvironment.CreateBuilder().WithLimits(limits));
        Assert.False(string.IsNullOrEmpty(ex.Message), name);
    }

    [Fact]
    public void Compile_NeverThrows_ForNullSource()
    {
        var result = Env.Compile(null!);
        Assert.False(result.Success);
        Assert.Equal(CelErrorCodes.Syntax, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void Compile_SeveralMistakes_ReportsEveryOne()
    {
        var result = Env.Compile("nope1 == 1 && nope2 == 2 && claims.x.frobnicate()");
        Assert.Equal(3, result.Errors.Count);
        Assert.Contains("nope1", result.FormatErrors(), StringComparison.Ordinal);
        Assert.Contains("frobnicate", result.FormatErrors(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_UndeclaredOnSecondLine_ReportsLineColumnAndCaret()
    {
        var result = Env.Compile("claims.a == 'x' &&\n  nope == 1");
        var error = Assert.Single(result.Errors);
        Assert.Equal(2, error.Line);
        Assert.Equal(3, error.Column);
        Assert.Equal(" |   nope == 1\n | ..^", error.Snippet);
    }
}
