using System.Diagnostics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace WorkloadFederation.Cel.Tests;

/// <summary>Property-based robustness tests: no input can make compilation or evaluation throw, recurse without bound or hang.</summary>
public sealed class PropertyTests
{
    private static readonly CelEnvironment Env = CelEnvironment.CreateBuilder()
        .DeclareVariable("claims", CelType.Map(CelType.String, CelType.Dyn))
        .DeclareVariable("x", CelType.Int)
        .WithLimits(CelLimits.Default with { MaxCost = 20_000 })
        .Build();

    private static readonly CelActivation Activation = CelActivation.Create()
        .Bind("claims", CelValue.FromJson("""{"sub":"repo:acme/infra","groups":["a","b","c"],"n":3,"nested":{"k":"v"}}"""u8))
        .Bind("x", CelValue.FromInt(42));

    private static readonly string[] Fragments =
    [
        "claims", "x", ".", "sub", "groups", "nested", "k", "(", ")", "[", "]", "{", "}", ",", ":", "?", "!", "-", "+", "*",
        "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "in", "true", "false", "null", "1", "0", "-1", "2u", "3.5",
        "1e9", "9223372036854775807", "'a'", "\"b\"", "r'c'", "b'd'", "'''e'''", "'\\x41'", "'\\u00e9'", "size", "has",
        "all", "exists", "exists_one", "map", "filter", "startsWith", "matches", "'^a.*$'", "int", "uint", "double",
        "string", "bytes", "timestamp", "duration", "type", "dyn", "optional", "of", "none", "orValue", ".?", "[?",
        " ", "\n", "//c\n", "`f`", "\\", "'", "\"", "=", "&", "|", "#", "\u00e9", "\ud83d\ude00", "\0",
    ];

    private static readonly string[] ValidCorpus =
    [
        "claims.sub.startsWith('repo:acme/') && x > 1",
        "claims.groups.exists(g, g == 'b') || has(claims.nested.k)",
        "[1, 2, 3].map(i, i * x).filter(v, v % 2 == 0).size() > 0",
        "{'a': [1, 2u, 3.0]}['a'][1] == 2 ? 'yes' : 'no'",
        "timestamp('2024-01-01T00:00:00Z') + duration('1h30m') > timestamp(0)",
        "claims.sub.matches('^repo:[a-z]+/.+$') && !('z' in claims.groups)",
        "optional.of(claims.n).orValue(0) == 3.0 && claims.?missing.hasValue() == false",
        "string(x) + \"-\" + b'\\x00\\xff'.size().string() == '42-2'",
    ];

    private static void AssertNeverThrows(string source)
    {
        CelCompileResult result;
        try
        {
            result = Env.Compile(source);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"Compile threw {ex.GetType().Name} for {Escape(source)}: {ex.Message}");
        }

        if (result.Success)
        {
            Assert.Empty(result.Errors);
            var sw = Stopwatch.StartNew();
            var eval = result.Program!.Evaluate(Activation);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "evaluation took " + sw.Elapsed + " for " + Escape(source));
            Assert.True(eval.IsError ? eval.ErrorMessage is { Length: > 0 } : eval.Value is not null);
        }
        else
        {
            Assert.NotEmpty(result.Errors);
            Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1 && e.Code.Length > 0));
            Assert.NotEmpty(result.FormatErrors());
        }
    }

    private static string Escape(string s) => s.Replace("\n", "\\n", StringComparison.Ordinal);

    [Fact]
    public void Compile_RandomFragmentSequences_YieldProgramOrDiagnostics()
    {
        var gen = Gen.Elements(Fragments).ArrayOf().Select(parts => string.Concat(parts));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(gen.ToArbitrary(), source =>
        {
            AssertNeverThrows(source);
            return true;
        }));
    }

    [Fact]
    public void Compile_RandomCharacters_YieldProgramOrDiagnostics()
    {
        var chars = Gen.Choose(0, 0x2FF).Select(i => (char)i);
        var gen = chars.ArrayOf().Select(a => new string(a));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(gen.ToArbitrary(), source =>
        {
            AssertNeverThrows(source);
            return true;
        }));
    }

    [Fact]
    public void Compile_MutatedValidSource_YieldsProgramOrDiagnostics()
    {
        var mutation = from baseIndex in Gen.Choose(0, ValidCorpus.Length - 1)
                       from ops in Gen.Choose(0, 3).Zip(Gen.Choose(0, 1000)).Zip(Gen.Elements(Fragments)).ArrayOf()
                       select Mutate(ValidCorpus[baseIndex], ops);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(4000), Prop.ForAll(mutation.ToArbitrary(), source =>
        {
            AssertNeverThrows(source);
            return true;
        }));
    }

    private static string Mutate(string source, ((int Kind, int Position) Op, string Fragment)[] ops)
    {
        var sb = new StringBuilder(source);
        foreach (var ((kind, position), fragment) in ops)
        {
            var at = sb.Length == 0 ? 0 : position % sb.Length;
            switch (kind)
            {
                case 0 when sb.Length > 0: sb.Remove(at, 1); break;
                case 1: sb.Insert(at, fragment); break;
                case 2 when sb.Length > 1: (sb[at], sb[(at + 1) % sb.Length]) = (sb[(at + 1) % sb.Length], sb[at]); break;
                default: sb.Insert(at, fragment[0]); break;
            }
        }

        return sb.ToString();
    }

    public static TheoryData<string, string> DeepNesting => new()
    {
        { "parens", new string('(', 10_000) + "1" + new string(')', 10_000) },
        { "lists", new string('[', 10_000) + new string(']', 10_000) },
        { "maps", string.Concat(Enumerable.Repeat("{1:", 10_000)) + "1" + new string('}', 10_000) },
        { "not", new string('!', 10_000) + "true" },
        { "negate", new string('-', 10_000) + "x" },
        { "add_chain", string.Join(" + ", Enumerable.Repeat("1", 10_000)) },
        { "and_chain", string.Join(" && ", Enumerable.Repeat("true", 10_000)) },
        { "member_chain", "claims" + string.Concat(Enumerable.Repeat(".a", 10_000)) },
        { "index_chain", "claims" + string.Concat(Enumerable.Repeat("['a']", 10_000)) },
        { "calls", string.Concat(Enumerable.Repeat("size(", 10_000)) + "'a'" + new string(')', 10_000) },
        { "ternary", string.Concat(Enumerable.Repeat("true ? 1 : ", 10_000)) + "2" },
        { "comprehensions", string.Concat(Enumerable.Repeat("[1].all(v, ", 10_000)) + "true" + new string(')', 10_000) },
    };

    [Theory]
    [MemberData(nameof(DeepNesting))]
    public void Compile_TenThousandLevelsDeep_IsRefusedWithNamedLimit(string name, string source)
    {
        var env = CelEnvironment.CreateBuilder()
            .DeclareVariable("claims", CelType.Dyn)
            .DeclareVariable("x", CelType.Int)
            .WithLimits(CelLimits.Default with { MaxSourceBytes = 1 << 20, MaxAstNodes = 1 << 20 })
            .Build();

        // Run on a thread with a small stack to show that the limit, not luck, prevents stack exhaustion.
        CelCompileResult? result = null;
        var thread = new Thread(() => result = env.Compile(source), 256 * 1024);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), name + ": compile did not finish");
        Assert.NotNull(result);
        Assert.False(result!.Success, name);
        Assert.Contains(result.Errors, e => e.Code == CelErrorCodes.NestingTooDeep && e.Message.Contains("MaxNestingDepth", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_HugeInput_IsRefusedBeforeParsing()
    {
        var source = "'" + new string('a', 50_000_000) + "'";
        var sw = Stopwatch.StartNew();
        var result = Env.Compile(source);
        Assert.False(result.Success);
        Assert.Equal(CelErrorCodes.SourceTooLarge, Assert.Single(result.Errors).Code);
        Assert.Contains("MaxSourceBytes", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Compile_TooManyNodes_IsRefusedWithNamedLimit()
    {
        var env = CelEnvironment.CreateBuilder().WithLimits(CelLimits.Default with { MaxAstNodes = 100 }).Build();
        var result = env.Compile("[" + string.Join(", ", Enumerable.Range(0, 200)) + "]");
        Assert.Equal(CelErrorCodes.TooManyNodes, Assert.Single(result.Errors).Code);
        Assert.Contains("MaxAstNodes", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_RandomNestedComprehensions_TerminateWithinBudget()
    {
        var env = CelEnvironment.CreateBuilder().WithLimits(CelLimits.Default with { MaxCost = 5_000 }).Build();
        var gen = from depth in Gen.Choose(1, 6)
                  from width in Gen.Choose(0, 40)
                  from macro in Gen.Elements("all", "exists", "map", "filter", "exists_one")
                  select BuildNested(depth, width, macro);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(gen.ToArbitrary(), source =>
        {
            var compiled = env.Compile(source);
            Assert.True(compiled.Success, compiled.FormatErrors());
            var sw = Stopwatch.StartNew();
            var result = compiled.Program!.Evaluate(CelActivation.Create());
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"took {sw.Elapsed}: {source}");
            if (result.IsError) Assert.Contains("MaxCost", result.ErrorMessage, StringComparison.Ordinal);
            return true;
        }));
    }

    private static string BuildNested(int depth, int width, string macro)
    {
        var list = "[" + string.Join(", ", Enumerable.Range(0, width)) + "]";
        var body = string.Join(" + ", Enumerable.Range(1, depth).Select(d => "v" + d)) + " >= 0";
        if (macro is "map") body = "[" + body + "]";
        for (var d = 1; d <= depth; d++)
        {
            body = macro switch
            {
                "map" => $"{list}.map(v{d}, {body})",
                "filter" => $"size({list}.filter(v{d}, {body})) >= 0",
                _ => $"{list}.{macro}(v{d}, {body})",
            };
        }

        return macro is "map" ? $"size({body}) >= 0" : body;
    }

    [Fact]
    public void Evaluate_StringDoubling_StopsAtCostOrSizeLimit()
    {
        var source = "cel.bind(s0, 'abcdefgh', "
            + string.Concat(Enumerable.Range(1, 40).Select(i => $"cel.bind(s{i}, s{i - 1} + s{i - 1}, "))
            + "size(s40) > 0" + new string(')', 41);
        var env = CelEnvironment.CreateBuilder().WithLimits(CelLimits.Default with { MaxSourceBytes = 4096 }).Build();
        var compiled = env.Compile(source);
        Assert.True(compiled.Success, compiled.FormatErrors());
        var result = compiled.Program!.Evaluate(CelActivation.Create());
        Assert.True(result.IsError);
        // 8 × 2^40 characters: the value size limit (1 MiB) is reached at s17, long before the cost budget.
        Assert.Equal($"string or bytes result longer than {1 << 20} (the engine's value size limit)", result.ErrorMessage);
    }

    [Fact]
    public void Evaluate_ReplaceAmplification_IsRefusedBySizeLimit()
    {
        var env = CelEnvironment.CreateBuilder().DeclareVariable("s", CelType.String).Build();
        var program = env.Compile("s.replace('', s).replace('', s)").Program!;
        var result = program.Evaluate(CelActivation.Create().Bind("s", CelValue.FromString(new string('a', 4000))));
        Assert.True(result.IsError);
        Assert.Equal($"string or bytes result longer than {1 << 20} (the engine's value size limit)", result.ErrorMessage);
    }

    [Fact]
    public void Evaluate_SameProgramOnManyThreads_GivesSameResults()
    {
        var program = Env.Compile("claims.groups.map(g, g + claims.sub).exists(s, s.startsWith('b')) && x == 42").Program!;
        var results = new bool[8 * 500];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            results[i] = program.Evaluate(Activation).IsTrue;
        });
        Assert.All(results, Assert.True);
    }
}
