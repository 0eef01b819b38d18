using System.Net;
using System.Text.Json;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Tests.Exchange;
using Xunit;

namespace WorkloadFederation.Federation.Tests.TrustTesting;

public sealed class TrustTestRunnerTests
{
    [Theory]
    [MemberData(nameof(ExchangeCases.Names), MemberType = typeof(ExchangeCases))]
    public async Task Runner_EveryExchangeCase_AgreesWithTheExchange(string name)
    {
        var @case = ExchangeCases.All[name];
        var fixture = @case.Fixture();
        @case.Arrange?.Invoke(fixture);
        var token = @case.Token(fixture);
        var ip = ExchangeCases.Ip(@case);

        var exchange = await fixture.Handler.HandleAsync(new TokenExchangeRequest(fixture.Trust.ClientId, token, TokenTypes.Jwt, ip), default);
        var report = await fixture.Runner.RunAsync(fixture.CompiledTrust, token, null, ip, default);

        Assert.Equal(exchange.Success, report.Allowed);
        Assert.Equal(exchange.Success ? null : exchange.Reason, report.DenialReason);
        Assert.Equal(TrustTestSteps.InOrder, report.Steps.Select(s => s.Name));
        if (!exchange.Success && report.Steps.FirstOrDefault(s => s.Status == StepStatus.Fail) is { Name: not null } failed)
        {
            Assert.Equal(exchange.Reason, failed.Reason);
        }
    }

    [Fact]
    public async Task Runner_BareClaims_SkipsTokenOnlyStepsAndEvaluatesTheCondition()
    {
        var fixture = new ExchangeFixture();
        var claims = JsonDocument.Parse("""{"repository":"acme/app","ref":"refs/heads/main"}""").RootElement;

        var report = await fixture.Runner.RunAsync(fixture.CompiledTrust, null, claims, null, default);

        Assert.True(report.Allowed);
        var dto = report.ToDto();
        Assert.Equal(
            ["skipped", "skipped", "skipped", "skipped", "skipped", "pass", "pass"],
            dto.Steps.Select(s => s.Status));
        Assert.Equal(["deploy"], dto.EffectiveRoles);
        Assert.Equal("acme/app", dto.DecodedClaims!.Value.GetProperty("repository").GetString());
    }

    [Fact]
    public async Task Runner_MissingClaim_SaysWhichKeyAndWhichArePresent()
    {
        var fixture = new ExchangeFixture("claims.environment == 'production'");
        var claims = JsonDocument.Parse("""{"repository":"acme/app","ref":"refs/heads/main"}""").RootElement;

        var report = await fixture.Runner.RunAsync(fixture.CompiledTrust, null, claims, null, default);

        Assert.False(report.Allowed);
        var step = report.Steps.Single(s => s.Name == TrustTestSteps.CelEvaluation);
        Assert.Equal(StepStatus.Fail, step.Status);
        Assert.Equal("claims has no key 'environment'; keys present: repository, ref", step.Detail);
        Assert.Equal("claims.environment == 'production'", step.Expected);
    }

    [Fact]
    public async Task Runner_AudienceMismatch_ShowsExpectedAndActual()
    {
        var fixture = new ExchangeFixture();
        var token = fixture.Token(c => c["aud"] = new System.Text.Json.Nodes.JsonArray("sts.amazonaws.com"));

        var report = await fixture.Runner.RunAsync(fixture.CompiledTrust, token, null, IPAddress.Loopback, default);

        var step = report.Steps.Single(s => s.Name == TrustTestSteps.AudienceValidation);
        Assert.Equal("aud is [\"sts.amazonaws.com\"], this trust expects \"acme.example.com\"", step.Detail);
        Assert.Equal("acme.example.com", step.Expected);
        // The runner keeps going: later steps are still reported.
        Assert.Equal(StepStatus.Pass, report.Steps.Single(s => s.Name == TrustTestSteps.CelEvaluation).Status);
    }

    [Fact]
    public async Task Runner_NoClientIpWithAllowlist_SkipsTheIpStepWithANote()
    {
        var fixture = new ExchangeFixture(ipAllowlist: ["10.0.0.0/8"]);

        var report = await fixture.Runner.RunAsync(fixture.CompiledTrust, fixture.Token(), null, null, default);

        Assert.Equal(StepStatus.Skipped, report.Steps[^1].Status);
        Assert.Contains(report.Notes, n => n.Contains("client_ip", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Runner_NeverIssues_AndRecordsNoAudit()
    {
        var fixture = new ExchangeFixture();

        await fixture.Runner.RunAsync(fixture.CompiledTrust, fixture.Token(), null, IPAddress.Loopback, default);

        Assert.Empty(fixture.Audit.Events);
    }

    [Theory]
    [InlineData("[1,2]", "claims must be a JSON object")]
    [InlineData("\"text\"", "claims must be a JSON object")]
    public void CheckBareClaims_NotAnObject_IsRefused(string json, string expected)
    {
        Assert.Equal(expected, WorkloadFederation.Federation.TrustTesting.TrustTestRunner.CheckBareClaims(JsonDocument.Parse(json).RootElement));
    }
}
