using System.Text;
using Xunit;

namespace WorkloadFederation.Cel.Tests;

public sealed class EvaluationTests
{
    private static readonly CelEnvironment Env = CelEnvironment.CreateBuilder()
        .DeclareVariable("claims", CelType.Map(CelType.String, CelType.Dyn))
        .DeclareVariable("x", CelType.Int)
        .Build();

    private static readonly CelActivation Activation = CelActivation.Create()
        .Bind("claims", CelValue.FromJson(Encoding.UTF8.GetBytes(
            """{"repository":"acme/infra","environment":"production","sub":"repo:acme/infra:ref:refs/heads/main","ref_protected":"true","run":3,"groups":["a","b"],"https://sts.amazonaws.com/":{"aws_account":"123456789012"},"job_workflow_ref":"acme/workflows/.github/workflows/deploy.yml@refs/heads/main"}""")))
        .Bind("x", CelValue.FromInt(7));

    public static TheoryData<string, string, string> Cases => new()
    {
        { "literal_int", "1 + 2 * 3", "7" },
        { "literal_uint", "0xFFu", "255u" },
        { "double_arith", "1.5 * 2.0", "3.0" },
        { "string_concat", "'a' + \"b\"", "\"ab\"" },
        { "raw_string", "r'\\n'", "\"\\\\n\"" },
        { "triple_string", "'''a\nb'''", "\"a\\nb\"" },
        { "bytes_literal", "b'\\xff'", "b\"\\xff\"" },
        { "hetero_eq", "1 == 1.0 && 1u == 1 && 2.5 > 2", "true" },
        { "min_int", "-9223372036854775808", "-9223372036854775808" },
        { "ternary", "x > 5 ? 'big' : 'small'", "\"big\"" },
        { "trust_eq", "claims.repository == \"acme/infra\" && claims.environment == \"production\"", "true" },
        { "trust_protected", "claims.ref_protected == 'true'", "true" },
        { "trust_starts", "claims.sub.startsWith('repo:acme/')", "true" },
        { "trust_matches", "claims.job_workflow_ref.matches('^acme/workflows/.+@refs/heads/main$')", "true" },
        { "trust_index", "claims[\"https://sts.amazonaws.com/\"].aws_account == \"123456789012\"", "true" },
        { "json_number_double", "claims.run == 3 && type(claims.run) == double", "true" },
        { "in_list", "'b' in claims.groups", "true" },
        { "in_map", "'sub' in claims", "true" },
        { "has_true", "has(claims.sub)", "true" },
        { "has_false", "has(claims.nope)", "false" },
        { "size_string", "size('héllo')", "5" },
        { "contains", "'abc'.contains('bc')", "true" },
        { "ends_with", "'abc'.endsWith('bc')", "true" },
        { "list_literal", "[1, 2, 3][1]", "2" },
        { "map_literal", "{'a': 1}['a']", "1" },
        { "all", "[1, 2, 3].all(i, i > 0)", "true" },
        { "exists", "[1, 2, 3].exists(i, i == 2)", "true" },
        { "exists_one", "[1, 2, 3].exists_one(i, i > 2)", "true" },
        { "map_macro", "[1, 2, 3].map(i, i * 2)", "[2, 4, 6]" },
        { "map_filter_macro", "[1, 2, 3].map(i, i > 1, i * 2)", "[4, 6]" },
        { "filter_macro", "[1, 2, 3].filter(i, i % 2 == 1)", "[1, 3]" },
        { "and_absorbs_error", "claims.missing == 'x' && false", "false" },
        { "or_absorbs_error", "true || claims.missing == 'x'", "true" },
        { "not", "!false", "true" },
        { "timestamp", "timestamp('2009-02-13T23:31:30Z') + duration('1h') == timestamp('2009-02-14T00:31:30Z')", "true" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_Expression_ProducesExpectedLiteral(string name, string source, string expected)
    {
        var compiled = Env.Compile(source);
        Assert.True(compiled.Success, name + ": " + compiled.FormatErrors());
        var result = compiled.Program!.Evaluate(Activation);
        Assert.False(result.IsError, name + ": " + result.ErrorMessage);
        Assert.Equal(expected, result.Value.ToString());
    }

    public static TheoryData<string, string, string> ErrorCases => new()
    {
        { "int_overflow", "9223372036854775807 + 1", "overflow" },
        { "int_underflow", "-9223372036854775808 - 1", "overflow" },
        { "uint_underflow", "0u - 1u", "overflow" },
        { "div_zero", "1 / 0", "division by zero" },
        { "mod_zero", "1 % 0", "modulus by zero" },
        { "missing_key", "claims.missing == 'x'", "no such key" },
        { "and_error_true", "claims.missing == 'x' && true", "no such key" },
        { "mixed_add", "dyn(1) + 1u", "no such overload" },
        { "index_out_of_range", "[1][5]", "index out of range" },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Evaluate_FailingExpression_ReturnsErrorValue(string name, string source, string fragment)
    {
        var compiled = Env.Compile(source);
        Assert.True(compiled.Success, name + ": " + compiled.FormatErrors());
        var result = compiled.Program!.Evaluate(Activation);
        Assert.True(result.IsError, name);
        Assert.Contains(fragment, result.ErrorMessage, StringComparison.Ordinal);
        Assert.False(result.IsTrue);
    }

    [Fact]
    public void Evaluate_ComprehensionOverBudget_ReturnsCostError()
    {
        var env = CelEnvironment.CreateBuilder().WithLimits(CelLimits.Default with { MaxCost = 1000 }).Build();
        var program = env.Compile("[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, a + b + c > 0)))").Program!;
        var result = program.Evaluate(CelActivation.Create());
        Assert.True(result.IsError);
        Assert.Contains("MaxCost", result.ErrorMessage, StringComparison.Ordinal);
    }
}

public sealed class RegexTests
{
    private static readonly CelEnvironment Env = CelEnvironment.CreateBuilder().DeclareVariable("s", CelType.String).Build();

    public static TheoryData<string, string, string, bool> Cases => new()
    {
        { "anchored", "^acme/workflows/.+@refs/heads/main$", "acme/workflows/x.yml@refs/heads/main", true },
        { "dollar_is_end_of_text", "^main$", "main\n", false },
        { "multiline_dollar", "(?m)^main$", "main\nnext", true },
        { "named_group_re2", "(?P<org>[a-z]+)/infra", "acme/infra", true },
        { "unicode_class_short", "^\\pL+$", "héllo", true },
        { "digit_is_ascii", "^\\d+$", "١٢٣", false },
        { "posix_class", "^[[:alpha:]]+[[:digit:]]$", "abc1", true },
        { "quoted_literal", "^\\Qa.b\\E$", "a.b", true },
        { "quoted_literal_no_wildcard", "^\\Qa.b\\E$", "axb", false },
        { "case_insensitive", "(?i)^ACME$", "acme", true },
        { "unanchored_search", "infra", "acme/infra-prod", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_Re2Pattern_BehavesLikeRe2(string name, string pattern, string input, bool expected)
    {
        var source = "s.matches(" + CelValue.FromString(pattern) + ")";
        var compiled = Env.Compile(source);
        Assert.True(compiled.Success, name + ": " + compiled.FormatErrors());
        var result = compiled.Program!.Evaluate(CelActivation.Create().Bind("s", CelValue.FromString(input)));
        Assert.False(result.IsError, name + ": " + result.ErrorMessage);
        Assert.Equal(expected, result.IsTrue);
    }

    [Theory]
    [InlineData("backreference", "(a)\\1")]
    [InlineData("lookahead", "a(?=b)")]
    [InlineData("ungreedy_flag", "(?U)a+")]
    public void Matches_UnsupportedConstruct_IsCompileError(string name, string pattern)
    {
        var result = Env.Compile("s.matches(" + CelValue.FromString(pattern) + ")");
        Assert.False(result.Success, name);
        Assert.Equal(CelErrorCodes.InvalidRegex, result.Errors[0].Code);
    }

    [Fact]
    public void Matches_DynamicPatternOverLimit_IsErrorValueNamingLimit()
    {
        var env = CelEnvironment.CreateBuilder().DeclareVariable("s", CelType.String)
            .WithLimits(CelLimits.Default with { MaxRegexPatternLength = 10 }).Build();
        var program = env.Compile("'abc'.matches(s)").Program!;
        var result = program.Evaluate(CelActivation.Create().Bind("s", CelValue.FromString(new string('a', 11))));
        Assert.True(result.IsError);
        Assert.Contains("MaxRegexPatternLength", result.ErrorMessage, StringComparison.Ordinal);
    }
}

public sealed class NetworkExtensionTests
{
    private static readonly CelEnvironment Env = CelEnvironment.CreateBuilder()
        .DeclareVariable("claims", CelType.Map(CelType.String, CelType.Dyn)).Build();

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "cidr_contains_claim", "cidr('10.0.0.0/8').containsIP(claims.addr)", true },
        { "cidr_excludes_claim", "cidr('192.168.0.0/16').containsIP(claims.addr)", false },
        { "ipv6_prefix", "cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))", true },
        { "families_differ", "cidr('0.0.0.0/0').containsIP(ip('::1'))", false },
        { "loopback", "ip('127.0.0.2').isLoopback()", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Network_Condition_EvaluatesExpected(string name, string source, bool expected)
    {
        var activation = CelActivation.Create().Bind("claims", CelValue.FromJson("""{"addr":"10.1.2.3"}"""u8));
        var result = Env.CompileCondition(source).Program!.Evaluate(activation);
        Assert.False(result.IsError, name + ": " + result.ErrorMessage);
        Assert.Equal(expected, result.IsTrue);
    }

    [Theory]
    [InlineData("octal_like", "ip('010.0.0.1')")]
    [InlineData("short_form", "ip('10.1')")]
    [InlineData("zone", "ip('fe80::1%eth0')")]
    [InlineData("bad_prefix", "cidr('10.0.0.0/33')")]
    public void Network_InvalidAddress_IsErrorValue(string name, string source)
    {
        var result = Env.Compile(source).Program!.Evaluate(CelActivation.Create());
        Assert.True(result.IsError, name);
    }
}
