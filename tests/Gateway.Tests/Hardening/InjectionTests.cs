using System.Text.Json;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>A fresh hostile node whose log holds only what these cases wrote.</summary>
public sealed class InjectionFixture : HostileNodeFixture;

/// <summary>
/// Attack class "log and audit injection": carriage return, line feed, NUL, an ANSI escape sequence and a bidi
/// override in the client id (logged before anyone is authenticated), in a verified token's <c>sub</c> (kept in the
/// audit event) and in an unverified <c>kid</c> and <c>iss</c> (quoted in denial details). Nothing non-printable may
/// reach a log line or an audit field; each shows as a visible escape.
/// </summary>
public sealed class InjectionTests(InjectionFixture fixture) : IClassFixture<InjectionFixture>
{
    public static TheoryData<string, string> Hostile() => new()
    {
        { "carriage_return", "\r" },
        { "line_feed", "\n" },
        { "nul", "\0" },
        { "ansi_escape", "\u001b[31m" },
        { "bidi_override", "\u202e" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Injection_ClientIdWithControlCharacter_IsEscapedInLogAndAudit(string name, string hostile)
    {
        var marker = "FORGED-" + name;
        var clientId = $"x{hostile}{marker}@{fixture.Tenant}/spc";
        await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(clientId, "x"));
        var exchangeClient = $"y{hostile}{marker}@{fixture.Tenant}/wfe";
        await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(exchangeClient, fixture.Valid()));

        var lines = fixture.Node.Logs.Text.Split('\n').Where(l => l.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, AssertPrintable);
        Assert.All(lines, l => Assert.False(l.StartsWith(marker, StringComparison.Ordinal), $"a log line was forged: {l}"));
        // A client id that is not well formed names no tenant, so no audit log holds it; none may hold it raw either.
        var events = await AttackSupport.AllAuditEventsAsync(fixture.Node.Http, fixture.AdminToken);
        Assert.All(events.Where(x => x.ToString().Contains(marker, StringComparison.Ordinal)), AssertPrintableEvent);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Injection_VerifiedSubjectWithControlCharacter_IsEscapedInAudit(string name, string hostile)
    {
        var marker = "SUBJECT-" + name;
        var token = fixture.Valid(c => c["sub"] = $"repo:acme/app{hostile}{marker}");
        var reply = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, token));
        Assert.True(reply.Status == System.Net.HttpStatusCode.OK, reply.ToString());

        var events = await AttackSupport.WaitForAuditAsync(fixture.Node.Http, fixture.AdminToken,
            e => e.Any(x => x.ToString().Contains(marker, StringComparison.Ordinal)), "the issued token");
        var issued = events.Single(x => x.ToString().Contains(marker, StringComparison.Ordinal));
        AssertPrintableEvent(issued);
        Assert.Contains("\\u", issued.GetProperty("subject").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Injection_UnverifiedKidAndIssuerWithControlCharacter_AreEscapedInAuditDetail(string name, string hostile)
    {
        var kidMarker = "KID-" + name;
        var unknownKid = Forge.Signed(Forge.Header("RS256", $"nope{hostile}{kidMarker}"), fixture.ClaimsJson(), fixture.Rsa, "RS256");
        var issMarker = "ISS-" + name;
        var wrongIssuer = fixture.Valid(c => c["iss"] = $"https://evil.example{hostile}{issMarker}");
        await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, unknownKid));
        await fixture.Node.Http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, wrongIssuer));

        var events = await AttackSupport.WaitForAuditAsync(fixture.Node.Http, fixture.AdminToken,
            e => e.Any(x => x.ToString().Contains(kidMarker, StringComparison.Ordinal)) && e.Any(x => x.ToString().Contains(issMarker, StringComparison.Ordinal)),
            "both denials quoting kid and iss");
        foreach (var e in events.Where(x => x.ToString().Contains(kidMarker, StringComparison.Ordinal) || x.ToString().Contains(issMarker, StringComparison.Ordinal)))
        {
            AssertPrintableEvent(e);
            var detail = e.GetProperty("detail").GetString()!;
            Assert.Contains("\\u", detail, StringComparison.Ordinal);
            Assert.DoesNotContain("\\u005c", detail, StringComparison.Ordinal); // escaped once, not twice
        }
    }

    private static void AssertPrintable(string text)
    {
        foreach (var c in text)
        {
            Assert.False(char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format,
                $"U+{(int)c:X4} in: {Visible(text)}");
        }
    }

    private static void AssertPrintableEvent(JsonElement e)
    {
        foreach (var property in e.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                AssertPrintable(property.Value.GetString()!);
            }
        }
    }

    private static string Visible(string text) => string.Concat(text.Select(c => c < ' ' || c > '~' ? $"<{(int)c:X}>" : c.ToString()));
}
