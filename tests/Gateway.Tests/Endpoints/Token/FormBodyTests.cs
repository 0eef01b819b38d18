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
    public void Parse_RandomBytes_InvalidUtf8IsRefusedAsSuchAndValidUtf8ParsesLikeItsText()
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var property = Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var form = FormBody.Parse(bytes, Limits);
            string text;
            try
            {
                text = strict.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                Assert.False(form.Succeeded);
                Assert.Equal(400, form.Status);
                Assert.Equal("invalid_request", form.Error!.Error);
                Assert.Equal("the request body is not valid UTF-8", form.Error.ErrorDescription);
                return true;
            }

            // Valid UTF-8: exactly the outcome of parsing the same text.
            var same = Parse(text);
            Assert.Equal(same.Succeeded, form.Succeeded);
            Assert.Equal(same.Error?.ErrorDescription, form.Error?.ErrorDescription);
            return true;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    /// <summary>
    /// Forms built from known fields: the expected outcome is computed from the fields (RFC 6749 §3.2 and the limits),
    /// not from the parser: too many fields, an empty name, a value over the limit, a repeated name — the first such
    /// field in order names the refusal; otherwise every field comes back decoded, exactly.
    /// </summary>
    [Fact]
    public void Parse_GeneratedForms_HaveTheOutcomeTheirFieldsDetermine()
    {
        var names = Gen.Elements(NamePool);
        var values = Gen.OneOf(
            Gen.Elements(string.Empty, "a b", "a+b&c=d", "%", "é", "secret-token:x:v1:AA"),
            Gen.Choose(0, 320).Select(n => new string('q', n)),
            Gen.Choose(0x20, 0x7E).Select(i => (char)i).ArrayOf().Select(a => new string(a)));
        var fields = Gen.Choose(0, 10).SelectMany(n => Gen.Zip(names, values).ArrayOf(n));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(fields.ToArbitrary(), pairs =>
        {
            var body = string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));
            var form = Parse(body);
            var expected = ExpectedRefusal(pairs);
            if (expected is null)
            {
                Assert.True(form.Succeeded, $"{body} -> {form.Error?.ErrorDescription}");
                Assert.All(pairs, p => Assert.Equal(p.Item2, form[p.Item1]));
                Assert.All(NamePool.Where(n => pairs.All(p => p.Item1 != n)), n => Assert.Null(form[n]));
            }
            else
            {
                Assert.False(form.Succeeded, body);
                Assert.Equal("invalid_request", form.Error!.Error);
                Assert.Contains(expected, form.Error.ErrorDescription, StringComparison.Ordinal);
            }

            return true;
        }));
    }

    private static readonly string[] NamePool = ["grant_type", "client_id", "subject_token", "x", "y", "z", "w", "v", string.Empty];

    private static string? ExpectedRefusal((string Name, string Value)[] pairs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i++)
        {
            var (name, value) = pairs[i];
            if (i + 1 > Limits.MaxFormFields)
            {
                return $"more than {Limits.MaxFormFields} fields";
            }

            if (name.Length == 0)
            {
                return "empty";
            }

            if (value.Length > Limits.MaxFormFieldLength)
            {
                return $"exceeds {Limits.MaxFormFieldLength} characters";
            }

            if (!seen.Add(name))
            {
                return "is repeated";
            }
        }

        return null;
    }
}
