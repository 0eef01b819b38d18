using Xunit;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.Tests.IssuedTokens;

/// <summary>The not-before rule that makes a disable a revocation (reusable by whatever owns the entity).</summary>
public sealed class TokenNotBeforeTests
{
    private static readonly DateTimeOffset T = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Raise_RoundsUpToTheNextWholeSecond_SoATokenOfTheSameSecondCountsAsBefore()
    {
        var disabledAt = T.AddMilliseconds(300);

        var notBefore = TokenNotBefore.Raise(null, disabledAt);

        Assert.Equal(T.AddSeconds(1), notBefore);
        Assert.True(TokenNotBefore.IssuedBefore(T.ToUnixTimeSeconds(), notBefore));
        Assert.False(TokenNotBefore.IssuedBefore(T.AddSeconds(1).ToUnixTimeSeconds(), notBefore));
        Assert.Equal(T, TokenNotBefore.Raise(null, T));
    }

    [Fact]
    public void Raise_NeverMovesTheTimeBack()
    {
        Assert.Equal(T.AddHours(1), TokenNotBefore.Raise(T.AddHours(1), T));
        Assert.False(TokenNotBefore.IssuedBefore(0, null));
    }

    [Fact]
    public void OnChange_OnlyADisableRaisesIt_AndAReEnableKeepsIt()
    {
        var principal = new ServicePrincipal("sp", "acme.example.com", "p", [], [], Enabled: true, T, T);

        var disabled = TokenNotBefore.OnChange(principal, principal with { Enabled = false }, T.AddMinutes(1));
        var renamed = TokenNotBefore.OnChange(principal, principal with { DisplayName = "q" }, T.AddMinutes(1));
        var enabled = TokenNotBefore.OnChange(disabled, disabled with { Enabled = true }, T.AddMinutes(2));

        Assert.Equal(T.AddMinutes(1), disabled.TokensNotBefore);
        Assert.Null(renamed.TokensNotBefore);
        Assert.Equal(T.AddMinutes(1), enabled.TokensNotBefore);
    }
}
