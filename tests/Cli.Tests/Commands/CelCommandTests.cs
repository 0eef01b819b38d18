using System.Text.Json;
using WorkloadFederation.Cli.Tests.Support;
using WorkloadFederation.Client.Tests.Support;
using Xunit;

namespace WorkloadFederation.Cli.Tests.Commands;

/// <summary><c>wif cel eval</c> and <c>wif cel check</c> run as a process.</summary>
public sealed class CelCommandTests : IDisposable
{
    private readonly string _claimsFile = Path.Combine(Path.GetTempPath(), $"wif-claims-{Guid.NewGuid():N}.json");

    public CelCommandTests() =>
        File.WriteAllText(_claimsFile, """{"repository":"acme/app","ref":"refs/heads/main","environment":"prod","run_attempt":"1"}""");

    public void Dispose() => File.Delete(_claimsFile);

    public sealed record EvalCase(string Name, string Expression, int ExitCode, string Output)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<EvalCase> EvalCases() => new()
    {
        new("true condition", "claims.repository == \"acme/app\" && claims.ref.startsWith(\"refs/heads/\")", 0, "true"),
        new("false condition", "claims.environment == \"staging\"", 1, "false"),
        new("in list", "claims.environment in [\"prod\", \"qa\"]", 0, "true"),
        new("missing claim is an evaluation error naming the claims present", "claims.workflow == \"deploy\"", 7, "claims present: repository, ref, environment, run_attempt"),
        new("has() guards a missing claim", "has(claims.workflow) && claims.workflow == \"deploy\"", 1, "false"),
        new("syntax error names the position", "claims.repository == ", 7, "<input>:1:22"),
        new("non-bool result is not met, as on the server", "claims.repository", 1, "not a bool"),
    };

    [Theory]
    [MemberData(nameof(EvalCases))]
    public async Task CelEval_Claims_PrintsResultAndExitCode(EvalCase c)
    {
        var r = await CliProcess.WifAsync(null, "cel", "eval", c.Expression, "--claims", _claimsFile);

        Assert.True(r.ExitCode == c.ExitCode, r.ToString());
        Assert.Contains(c.Output, r.StdOut + r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CelEval_TokenFromStandardInput_UsesItsClaims()
    {
        var jwt = TestJwt.Platform(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), subject: "repo:acme/app:environment:prod");

        var r = await CliProcess.WifWithInputAsync(null, jwt, "cel", "eval", "claims.sub.endsWith(\":environment:prod\") && claims.aud == \"acme.example.com\"", "--token", "-");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("true", r.StdOut.Trim());
    }

    [Fact]
    public async Task CelEval_BothClaimsAndToken_IsAUsageError()
    {
        var r = await CliProcess.WifAsync(null, "cel", "eval", "true", "--claims", _claimsFile, "--token", "a.b.c");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("exactly one of --claims and --token", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CelEval_ClaimsFileNotJson_Exit3NamingTheOption()
    {
        var bad = _claimsFile + ".bad";
        await File.WriteAllTextAsync(bad, "{\"a\": ");
        try
        {
            var r = await CliProcess.WifAsync(null, "cel", "eval", "true", "--claims", bad);

            Assert.True(r.ExitCode == 3, r.ToString());
            Assert.Contains("--claims: not valid JSON", r.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task CelCheck_ValidCondition_Exit0()
    {
        var r = await CliProcess.WifAsync(null, "cel", "check", "claims.ref == \"refs/heads/main\"");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("compiles", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CelCheck_TooLong_Exit7NamingTheLimit()
    {
        var longCondition = string.Join(" || ", Enumerable.Range(0, 80).Select(i => $"claims.ref == \"refs/heads/b{i}\""));

        var r = await CliProcess.WifAsync(null, "cel", "check", longCondition);

        Assert.True(r.ExitCode == 7, r.ToString());
        Assert.Contains("1024", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CelCheck_Json_ReportsCodeAndPosition()
    {
        var r = await CliProcess.WifAsync(null, "cel", "check", "claims.ref == ", "--json");

        Assert.True(r.ExitCode == 7, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
        var error = doc.RootElement.GetProperty("errors")[0];
        Assert.Equal(1, error.GetProperty("line").GetInt32());
        Assert.Equal(15, error.GetProperty("column").GetInt32());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("code").GetString()));
    }
}
