using System.Text;
using FsCheck;
using FsCheck.Fluent;
using WorkloadFederation.Gateway.Endpoints.Token;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Tests.Endpoints.Token;

public sealed class FormBodyTests
{
    private static readonly RequestLimitOptions Limits = new() { MaxFormFields = 8, MaxFormFieldLength = 300 };

    private static FormBody Parse(string text) => FormBody.Parse(Encoding.UTF8.GetBytes(text), Limits);

    [Fact]
    public void Parse_UrlEncodedFields_AreDecoded()
    {
        var form = Parse("grant_type=client_credentials&client_id=swift-otter-12345%40acme.example.com%2Fspc&x=a+b");

        Assert.True(form.Succeeded);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal("swift-otter-12345@acme.example.com/spc", form["client_id"]);
        Assert.Equal("a b", form["x"]);
    }

    [Theory]
    [InlineData("too many fields", "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9", "more than 8 fields")]
    [InlineData("repeated known field", "grant_type=a&grant_type=b", "'grant_type' is repeated")]
    [InlineData("repeated unknown field not echoed", "zzz=a&zzz=b", "a form field is repeated")]
    [InlineData("empty name", "=x", "empty")]
    public void Parse_LimitViolation_NamesTheLimit(string name, string body, string expected)
    {
        var form = Parse(body);

        Assert.False(form.Succeeded, name);
        Assert.Equal("invalid_request", form.Error!.Error);
        Assert.Contains(expected, form.Error.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FieldLongerThanLimit_NamesFieldAndLimit()
    {
        var form = Parse("subject_token=" + new string('a', 301));

        Assert.False(form.Succeeded);
        Assert.Equal("'subject_token' exceeds 300 characters", form.Error!.ErrorDescription);
    }

    [Fact]
    public void Parse_InvalidUtf8_IsRefused()
    {
        var form = FormBody.Parse([0x61, 0x3d, 0xff, 0xfe], Limits);

        Assert.False(form.Succeeded);
        Assert.Contains("UTF-8", form.Error!.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RandomBytes_NeverThrowsAndFailuresAreInvalidRequest()
    {
        var property = Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var form = FormBody.Parse(bytes, Limits);
            return form.Succeeded || form.Error!.Error == "invalid_request";
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    [Fact]
    public void Parse_RandomStrings_NeverThrow()
    {
        var property = Prop.ForAll(ArbMap.Default.ArbFor<string>(), text =>
        {
            var form = FormBody.Parse(Encoding.UTF8.GetBytes(text ?? string.Empty), Limits);
            return form.Succeeded || form.Error is not null;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }
}
