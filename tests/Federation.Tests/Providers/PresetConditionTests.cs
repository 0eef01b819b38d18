using System.Text.Json;
using WorkloadFederation.Cel;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Providers;

/// <summary>
/// Every example condition of the fixtures, compiled and evaluated by the CEL engine over the fixture's claims, gives
/// the expected outcome: the fixtures and the engine agree on the platforms' value shapes (strings for booleans and
/// ids, nested objects for AWS).
/// </summary>
public sealed class PresetConditionTests
{
    private static readonly CelEnvironment Environment = CelEnvironment.CreateBuilder()
        .DeclareVariable("claims", CelType.Map(CelType.String, CelType.Dyn))
        .Build();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in PresetFixturesTests.Files())
        {
            foreach (var c in PresetFixturesTests.Load(file).GetProperty("cases").EnumerateArray())
            {
                data.Add(file, c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Condition_OverFixtureClaims_GivesTheExpectedOutcome(string file, string name)
    {
        var fixture = PresetFixturesTests.Load(file);
        var testCase = fixture.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var claims = fixture.GetProperty("tokens").GetProperty(testCase.GetProperty("token").GetString()!);

        var compiled = Environment.CompileCondition(testCase.GetProperty("condition").GetString()!);
        Assert.True(compiled.Success, compiled.FormatErrors());
        var result = compiled.Program!.Evaluate(CelActivation.Create().Bind("claims", CelValue.FromJson(claims)));

        Assert.False(result.IsError, result.ErrorMessage);
        Assert.Equal(testCase.GetProperty("expected").GetBoolean(), result.IsTrue);
    }
}
