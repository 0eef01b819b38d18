using System.Text.Json;
using Xunit;

namespace WorkloadFederation.Cel.Tests;

public sealed class ValueTests
{
    [Fact]
    public void FromJson_Payload_FollowsProtobufJsonMapping()
    {
        var value = CelValue.FromJson("""{"s":"x","n":3,"big":1e400,"t":true,"f":false,"z":null,"a":[1,"b",{"c":[]}],"o":{"k":"v"}}"""u8);
        Assert.Equal(CelValueKind.Map, value.Kind);
        Assert.Equal(
            "{\"s\": \"x\", \"n\": 3.0, \"big\": double(\"Infinity\"), \"t\": true, \"f\": false, \"z\": null, \"a\": [1.0, \"b\", {\"c\": []}], \"o\": {\"k\": \"v\"}}",
            value.ToString());
    }

    [Fact]
    public void FromJson_JsonElement_EqualsUtf8Form()
    {
        using var doc = JsonDocument.Parse("""{"repository":"acme/infra","run":7}""");
        Assert.Equal(CelValue.FromJson("""{"repository":"acme/infra","run":7}"""u8), CelValue.FromJson(doc.RootElement));
    }

    [Theory]
    [InlineData("invalid_json", "{\"a\":")]
    [InlineData("trailing_data", "{} {}")]
    public void FromJson_BadInput_ThrowsJsonException(string name, string json)
    {
        Assert.NotNull(name);
        Assert.ThrowsAny<JsonException>(() => CelValue.FromJson(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void FromJson_TooDeep_ThrowsJsonException()
    {
        var json = new string('[', 200) + new string(']', 200);
        Assert.ThrowsAny<JsonException>(() => CelValue.FromJson(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    public static TheoryData<string, string> Literals => new()
    {
        { "-5", "-5" },
        { "18446744073709551615u", "18446744073709551615u" },
        { "1e100", "1e+100" },
        { "-0.0", "-0.0" },
        { "2.5", "2.5" },
        { "double('NaN')", "double(\"NaN\")" },
        { "'tab\\tquote\"'", "\"tab\\tquote\\\"\"" },
        { "b'\\x00ab'", "b\"\\x00ab\"" },
        { "[null, true, {1: 'x'}]", "[null, true, {1: \"x\"}]" },
        { "timestamp('2024-02-29T12:00:00.5Z')", "timestamp(\"2024-02-29T12:00:00.5Z\")" },
        { "duration('-1.5s')", "duration(\"-1.5s\")" },
        { "type(1u)", "uint" },
        { "optional.of(1)", "optional.of(1)" },
        { "optional.none()", "optional.none()" },
    };

    [Theory]
    [MemberData(nameof(Literals))]
    public void ToString_Value_PrintsCelLiteral(string source, string expected)
    {
        var env = CelEnvironment.CreateBuilder().Build();
        var result = env.Compile(source).Program!.Evaluate(CelActivation.Create());
        Assert.Equal(expected, result.Value.ToString());
    }

    [Fact]
    public void ToString_Literal_CompilesBackToEqualValue()
    {
        var env = CelEnvironment.CreateBuilder().Build();
        var value = CelValue.FromJson("""{"a":[1.5,"x\ny",null,{"b":false}],"c":"\u00e9\ud83d\ude00"}"""u8);
        var roundTrip = env.Compile(value.ToString()).Program!.Evaluate(CelActivation.Create());
        Assert.Equal(value, roundTrip.Value);
    }

    [Fact]
    public void FromMap_InvalidKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => CelValue.FromMap([new(CelValue.FromDouble(1.5), CelValue.Null)]));
    }

    [Fact]
    public void Equals_HeterogeneousNumbers_AreEqual()
    {
        Assert.Equal(CelValue.FromInt(1), CelValue.FromUint(1));
        Assert.Equal(CelValue.FromInt(1), CelValue.FromDouble(1.0));
        Assert.NotEqual(CelValue.FromDouble(double.NaN), CelValue.FromDouble(double.NaN));
        Assert.Equal(CelValue.FromInt(1).GetHashCode(), CelValue.FromUint(1).GetHashCode());
    }

    [Fact]
    public void FromTimestamp_AndTimeZoneGetters_UseCelCalendar()
    {
        var env = CelEnvironment.CreateBuilder().DeclareVariable("t", CelType.Timestamp).Build();
        var program = env.Compile("[t.getHours(), t.getHours('America/Los_Angeles'), t.getHours('+05:30'), t.getDayOfWeek(), t.getMonth()]").Program!;
        var t = CelValue.FromTimestamp(new DateTimeOffset(2024, 1, 15, 10, 0, 0, TimeSpan.Zero));
        Assert.Equal("[10, 2, 15, 1, 0]", program.Evaluate(CelActivation.Create().Bind("t", t)).Value.ToString());
    }

    [Fact]
    public void Evaluate_UnknownTimeZone_IsErrorValue()
    {
        var env = CelEnvironment.CreateBuilder().Build();
        var result = env.Compile("timestamp(0).getHours('Mars/Olympus')").Program!.Evaluate(CelActivation.Create());
        Assert.True(result.IsError);
        Assert.Contains("time zone", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MissingBinding_IsErrorNamingVariable()
    {
        var env = CelEnvironment.CreateBuilder().DeclareVariable("claims", CelType.Dyn).Build();
        var result = env.Compile("claims.sub == 'x'").Program!.Evaluate(CelActivation.Create());
        Assert.True(result.IsError);
        Assert.Contains("claims", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(CelValue.Null, result.Value);
    }
}
