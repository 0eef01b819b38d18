using System.Text;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Gateway.Problems;

namespace WorkloadFederation.Gateway.Tests.Problems;

public sealed class JsonBodyReaderTests
{
    private static BodyResult<T> Parse<T>(string json, IReadOnlyCollection<string>? immutable = null)
        where T : class => JsonBodyReader.Parse<T>(Encoding.UTF8.GetBytes(json), 8, immutable);

    [Fact]
    public void Parse_ValidBody_Deserialises()
    {
        var result = Parse<CreateServicePrincipalRequest>("""{"display_name":"ci","roles":["Basic User"]}""");

        Assert.Null(result.Error);
        Assert.Equal("ci", result.Value!.DisplayName);
        Assert.Equal(["Basic User"], result.Value.Roles);
    }

    [Theory]
    [InlineData("not json", "{", "malformed_body", "$")]
    [InlineData("array root", "[]", "malformed_body", "$")]
    [InlineData("null root", "null", "malformed_body", "$")]
    [InlineData("unknown member", """{"display_name":"x","admin":true}""", "validation_failed", "admin")]
    [InlineData("wrong type", """{"display_name":5}""", "validation_failed", "display_name")]
    [InlineData("duplicate member", """{"display_name":"a","display_name":"b"}""", "malformed_body", "$")]
    [InlineData("too deep", """{"display_name":[[[[[[[[[[[]]]]]]]]]]]}""", "malformed_body", "$")]
    [InlineData("trailing comma", """{"display_name":"a",}""", "malformed_body", "$")]
    [InlineData("camelCase name", """{"displayName":"a"}""", "validation_failed", "displayName")]
    public void Parse_BadBody_IsProblemNamingTheField(string name, string json, string code, string field)
    {
        var result = Parse<CreateServicePrincipalRequest>(json);

        Assert.True(result.Error is not null, name);
        Assert.Equal(400, result.Error!.Status);
        Assert.Equal(code, result.Error.Code);
        Assert.Equal(field, result.Error.Field);
    }

    [Fact]
    public void Parse_ImmutableField_IsImmutableFieldProblem()
    {
        var result = Parse<UpdateCredentialRequest>("""{"expires_in_days":30}""", ["expires_in_days", "expires_at"]);

        Assert.Equal(ProblemCodes.ImmutableField, result.Error!.Code);
        Assert.Equal("expires_in_days", result.Error.Field);
    }

    [Fact]
    public async Task ReadBoundedAsync_LongerThanLimit_ReturnsNull()
    {
        using var stream = new MemoryStream(new byte[1025]);

        Assert.Null(await JsonBodyReader.ReadBoundedAsync(stream, 1024, CancellationToken.None));
    }
}
