using System.Net;
using System.Text.Json.Nodes;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Tests.Providers;
using WorkloadFederation.Federation.Tests.Snapshot;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Exchange;

/// <summary>
/// Preset fidelity: each platform's real claim set (the Providers fixtures) signed as a token of that
/// platform's issuer and sent through the whole exchange with each example condition of the platform's guide —
/// accepted or refused as the fixture expects, and the trust test runner agrees.
/// </summary>
public sealed class PresetFidelityTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in new[] { "github-actions.json", "gitlab.json", "hcp-terraform.json", "aws-iam-outbound.json" })
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
    public async Task Exchange_PlatformTokenWithGuideCondition_IsDecidedAsExpected(string file, string name)
    {
        var preset = PresetFixturesTests.Load(file);
        var testCase = preset.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var issuer = preset.GetProperty("issuer").GetString()!;
        var fixture = new ExchangeFixture(testCase.GetProperty("condition").GetString()!, issuer: issuer);
        var claims = JsonNode.Parse(preset.GetProperty("tokens").GetProperty(testCase.GetProperty("token").GetString()!).GetRawText())!.AsObject();
        var now = fixture.Time.GetUtcNow().ToUnixTimeSeconds();
        claims["iss"] = issuer;
        claims["aud"] = TestEntities.Tenant;
        claims["iat"] = now - 10;
        claims["nbf"] = now - 10;
        claims["exp"] = now + 290;
        var token = fixture.Issuer.Mint(claims);
        var expected = testCase.GetProperty("expected").GetBoolean();

        var result = await fixture.Handler.HandleAsync(new TokenExchangeRequest(fixture.Trust.ClientId, token, TokenTypes.Jwt, IPAddress.Loopback), default);
        var report = await fixture.Runner.RunAsync(fixture.CompiledTrust, token, null, IPAddress.Loopback, default);

        Assert.True(expected == result.Success, $"{file} / {name}: {result}");
        Assert.Equal(result.Success, report.Allowed);
        if (!expected)
        {
            // The guides' refusals are condition refusals, not format or signature problems.
            Assert.Equal(WorkloadFederation.Contracts.Audit.DenialReasons.CelConditionNotMet, result.Reason);
        }
    }
}
