using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Decisions;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Jwt;
using Xunit;

namespace WorkloadFederation.Federation.Tests.Decisions;

/// <summary>The one set of freshness rules, with each kind of token's windows as parameters.</summary>
public sealed class TokenFreshnessTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);
    private static readonly FreshnessWindows SubjectToken = new(Skew, Skew, TimeSpan.FromMinutes(10), null, "token");
    private static readonly FreshnessWindows Assertion = new(Skew, Skew, null, TimeSpan.FromMinutes(5), "assertion");
    private static readonly FreshnessWindows OwnToken = new(Skew, TimeSpan.Zero, null, null, "access token");

    private static ClaimRead<DateTimeOffset> At(double secondsFromNow) => ClaimRead<DateTimeOffset>.Present(Now.AddSeconds(secondsFromNow));

    private static ClaimRead<DateTimeOffset> None => ClaimRead<DateTimeOffset>.Missing();

    public static TheoryData<string, FreshnessWindows, double?, double?, double?, string?> Cases() => new()
    {
        { "subject_fresh", SubjectToken, 300, -5, -5, null },
        { "subject_expired_beyond_the_skew", SubjectToken, -61, null, -400, DenialReasons.TokenExpired },
        { "subject_expired_within_the_skew", SubjectToken, -59, null, -400, null },
        { "subject_not_yet_valid", SubjectToken, 300, 61, -5, DenialReasons.TokenNotYetValid },
        { "subject_issued_in_the_future", SubjectToken, 300, null, 61, DenialReasons.TokenNotYetValid },
        { "subject_older_than_the_max_age", SubjectToken, 300, null, -601, DenialReasons.TokenTooOld },
        { "subject_without_iat", SubjectToken, 300, null, null, DenialReasons.InvalidJwtFormat },
        { "subject_without_exp", SubjectToken, null, null, -5, DenialReasons.InvalidJwtFormat },
        { "subject_long_lived_is_fine", SubjectToken, 86_400, null, -5, null },
        { "assertion_five_minutes", Assertion, 295, null, -5, null },
        { "assertion_exp_too_far_ahead", Assertion, 361, null, 0, DenialReasons.TokenTooOld },
        { "assertion_lives_longer_than_five_minutes", Assertion, 300, null, -5, DenialReasons.TokenTooOld },
        { "assertion_old_iat_is_fine_without_max_age", Assertion, 60, null, -200, null },
        { "own_token_no_leeway_past_exp", OwnToken, -1, null, -3600, DenialReasons.TokenExpired },
        { "own_token_at_exp", OwnToken, 0, null, -3600, DenialReasons.TokenExpired },
        { "own_token_one_second_left", OwnToken, 1, null, -3600, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_Windows_GiveTheExpectedVerdict(string name, FreshnessWindows windows, double? exp, double? nbf, double? iat, string? reason)
    {
        var verdict = TokenFreshness.Check(
            exp is { } e ? At(e) : None, nbf is { } n ? At(n) : None, iat is { } i ? At(i) : None, Now, windows);

        Assert.True(reason == verdict.Reason, $"{name}: expected {reason ?? "pass"}, got {verdict.Reason ?? "pass"} ({verdict.Detail})");
        if (reason is not null)
        {
            Assert.Contains(windows.Noun, verdict.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_InvalidNbf_IsMalformed()
    {
        var verdict = TokenFreshness.Check(At(60), ClaimRead<DateTimeOffset>.Invalid("nbf must be a number"), At(0), Now, SubjectToken);

        Assert.Equal(DenialReasons.InvalidJwtFormat, verdict.Reason);
    }

    [Fact]
    public async Task Pipeline_StopsAtTheFirstFailureOrRunsEveryStep()
    {
        var ran = new List<string>();
        StepOutcome Step(string name, bool pass)
        {
            ran.Add(name);
            return pass ? StepOutcome.Passed(name, "ok") : StepOutcome.Failed(name, DenialReasons.TokenExpired, "no");
        }

        var pipeline = new DecisionPipeline<object>(
            DecisionStep<object>.Of("a", _ => Step("a", true)),
            DecisionStep<object>.Of("b", _ => Step("b", false)),
            DecisionStep<object>.OfAsync("c", (_, _) => ValueTask.FromResult(Step("c", false))));

        var stopped = await pipeline.RunAsync(new object(), stopAtFirstFailure: true, default);
        Assert.Equal(["a", "b"], ran);
        Assert.Equal("b", stopped.FirstFailure!.Value.Name);

        ran.Clear();
        var all = await pipeline.RunAsync(new object(), stopAtFirstFailure: false, default);
        Assert.Equal(["a", "b", "c"], ran);
        Assert.Equal(3, all.Steps.Count);
        Assert.Equal("b", all.FirstFailure!.Value.Name);
        Assert.Equal(["a", "b", "c"], pipeline.StepNames);
    }
}
