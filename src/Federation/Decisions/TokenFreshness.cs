using System.Globalization;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Jwt;

namespace WorkloadFederation.Federation.Decisions;

/// <summary>
/// The time windows a kind of token is held to. One set of rules (<see cref="TokenFreshness"/>) for every token the
/// node reads; each grant gives its windows as these parameters.
/// </summary>
/// <param name="ClockSkew">Tolerated clock difference for <c>nbf</c> and <c>iat</c> in the future.</param>
/// <param name="ExpiryLeeway">Tolerated time past <c>exp</c> (the issuer's clock may run ahead of ours; none for our own tokens).</param>
/// <param name="MaxAge">Longest accepted <c>now − iat</c>, or null for no bound.</param>
/// <param name="MaxLifetime">Longest accepted <c>exp − iat</c> (and <c>exp − now</c>, within the skew), or null for no bound.</param>
/// <param name="Noun">What the details call the token ("token", "assertion").</param>
public readonly record struct FreshnessWindows(TimeSpan ClockSkew, TimeSpan ExpiryLeeway, TimeSpan? MaxAge, TimeSpan? MaxLifetime, string Noun);

/// <summary>The verdict of <see cref="TokenFreshness.Check"/>: passed, or the denial reason and what a person needs to act.</summary>
public readonly record struct FreshnessVerdict(string? Reason, string Detail, string? Expected, string? Actual)
{
    /// <summary>True when the token is fresh.</summary>
    public bool Passed => Reason is null;
}

/// <summary>
/// RFC 7519 §4.1.4–4.1.6 with the node's windows: <c>exp</c> present and not past (plus the leeway); the lifetime
/// within <see cref="FreshnessWindows.MaxLifetime"/>; <c>nbf</c>, when present, a number not in the future beyond
/// the skew; <c>iat</c> present, not in the future beyond the skew, not older than
/// <see cref="FreshnessWindows.MaxAge"/>. Used by the exchange (subject tokens), client credentials (assertions)
/// and the validation of the node's own access tokens.
/// </summary>
public static class TokenFreshness
{
    /// <summary>Checks the three time claims at <paramref name="now"/>.</summary>
    public static FreshnessVerdict Check(
        ClaimRead<DateTimeOffset> exp, ClaimRead<DateTimeOffset> nbf, ClaimRead<DateTimeOffset> iat, DateTimeOffset now, FreshnessWindows windows)
    {
        var noun = windows.Noun;
        if (!exp.IsPresent)
        {
            return new(DenialReasons.InvalidJwtFormat, exp.Problem ?? $"the {noun} has no exp claim", "exp present", null);
        }

        if (exp.Value + windows.ExpiryLeeway <= now)
        {
            return new(DenialReasons.TokenExpired,
                $"the {noun} expired at {Iso(exp.Value)}; now is {Iso(now)} ({windows.ExpiryLeeway.TotalSeconds:F0} s leeway)", $"exp after {Iso(now)}", Iso(exp.Value));
        }

        if (windows.MaxLifetime is { } maxLifetime && exp.Value - now > maxLifetime + windows.ClockSkew)
        {
            return new(DenialReasons.TokenTooOld,
                $"the {noun}'s exp is more than {maxLifetime.TotalSeconds:F0} s ahead", $"exp at most {maxLifetime.TotalSeconds:F0} s ahead", Iso(exp.Value));
        }

        if (nbf.Status == ClaimReadStatus.Invalid)
        {
            return new(DenialReasons.InvalidJwtFormat, nbf.Problem!, "nbf a number", null);
        }

        if (nbf.IsPresent && nbf.Value - windows.ClockSkew > now)
        {
            return new(DenialReasons.TokenNotYetValid,
                $"the {noun} is not valid before {Iso(nbf.Value)}; now is {Iso(now)}", $"nbf before {Iso(now)}", Iso(nbf.Value));
        }

        if (!iat.IsPresent)
        {
            return new(DenialReasons.InvalidJwtFormat, iat.Problem ?? $"the {noun} has no iat claim", "iat present", null);
        }

        if (iat.Value - windows.ClockSkew > now)
        {
            return new(DenialReasons.TokenNotYetValid,
                $"the {noun} was issued in the future ({Iso(iat.Value)}; now is {Iso(now)}); check the issuer's clock", $"iat before {Iso(now)}", Iso(iat.Value));
        }

        // The lifetime itself is held to the limit exactly; the skew above only tolerates clocks.
        if (windows.MaxLifetime is { } lifetime && exp.Value - iat.Value > lifetime)
        {
            return new(DenialReasons.TokenTooOld,
                $"the {noun} lives {(exp.Value - iat.Value).TotalSeconds:F0} s; at most {lifetime.TotalSeconds:F0} s is accepted",
                $"at most {lifetime.TotalSeconds:F0} s", $"{(exp.Value - iat.Value).TotalSeconds:F0} s");
        }

        var age = now - iat.Value;
        if (windows.MaxAge is { } maxAge && age > maxAge)
        {
            return new(DenialReasons.TokenTooOld,
                $"the {noun} was issued {age.TotalSeconds:F0} s ago; at most {maxAge.TotalSeconds:F0} s old is accepted",
                $"at most {maxAge.TotalSeconds:F0} s old", $"{age.TotalSeconds:F0} s old");
        }

        return new(null, string.Empty, null, null);
    }

    /// <summary>A time as RFC 3339 UTC to the second.</summary>
    public static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
