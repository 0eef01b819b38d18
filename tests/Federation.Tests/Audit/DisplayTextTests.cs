using WorkloadFederation.Contracts.Text;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Model;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Audit;

/// <summary>What escaping for display keeps and what it makes visible.</summary>
public sealed class DisplayTextTests
{
    [Theory]
    [InlineData("a\rb", "a\\u000db")]
    [InlineData("a\nb", "a\\u000ab")]
    [InlineData("a\0b", "a\\u0000b")]
    [InlineData("\u001b[31mred", "\\u001b[31mred")]
    [InlineData("\u202eevil", "\\u202eevil")]
    [InlineData("\u2028", "\\u2028")]
    [InlineData("back\\slash", "back\\u005cslash")]
    public void Escape_NonPrintable_BecomesAVisibleEscape(string raw, string shown) => Assert.Equal(shown, DisplayText.Escape(raw));

    [Fact]
    public void Escape_LoneSurrogate_BecomesAVisibleEscape() =>
        // Built at run time: a lone surrogate does not survive test-case serialisation.
        Assert.Equal("lone \\ud800 surrogate", DisplayText.Escape("lone " + (char)0xD800 + " surrogate"));

    [Theory]
    [InlineData("repo:acme/app:ref:refs/heads/main")]
    [InlineData("café ünïcödé 日本語")]
    [InlineData("emoji 🚀 pair")]
    public void Escape_PrintableText_IsReturnedAsIs(string text) => Assert.Same(text, DisplayText.Escape(text));

    [Fact]
    public void ForDisplay_EscapesEveryTextField_AndKeepsACleanEventAsIs()
    {
        var clean = new AuditEvent(DateTimeOffset.UnixEpoch, "token.denied", "acme.example.com", "denied", "unknown_key",
            ClientId: "swift-otter-19384@acme.example.com/wfe", Subject: "repo:acme/app", Detail: "kid \"k1\"");
        var hostile = clean with { ClientId = "x\r\ny", Subject = "s\u001b[2J", Detail = "kid \"\0\"" };

        var shown = TokenAuditEvents.ForDisplay(hostile);

        Assert.Same(clean, TokenAuditEvents.ForDisplay(clean));
        Assert.Equal("x\\u000d\\u000ay", shown.ClientId);
        Assert.Equal("s\\u001b[2J", shown.Subject);
        Assert.Equal("kid \"\\u0000\"", shown.Detail);
        Assert.Equal(hostile.Tenant, shown.Tenant);
    }
}
