using WorkloadFederation.Federation.Model;

namespace WorkloadFederation.Federation.IssuedTokens;

/// <summary>
/// The rule that makes a disable a revocation: disabling a principal or trust, or revoking a credential, sets its
/// not-before time, and every token whose <c>iat</c> is earlier stays dead — also once the object is enabled again,
/// so "disable, rotate, re-enable" cannot revive a stolen token. The time travels with the entity (store, change feed,
/// every node's snapshot), so all nodes agree, and introspection agrees with the admin API because both validate
/// through <see cref="AccessTokenValidator"/>.
/// <para>
/// <c>iat</c> has whole seconds, so the not-before time is rounded up to the next second: a token issued in the
/// second of the disable counts as issued before it (fail closed). A token issued after a re-enable in that same
/// second is therefore dead too; its client simply asks for a new one.
/// </para>
/// </summary>
public static class TokenNotBefore
{
    /// <summary>The not-before time after a disable at <paramref name="now"/>: never earlier than <paramref name="current"/>.</summary>
    public static DateTimeOffset Raise(DateTimeOffset? current, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds() + (now.UtcTicks % TimeSpan.TicksPerSecond == 0 ? 0 : 1);
        var raised = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return current is { } existing && existing > raised ? existing : raised;
    }

    /// <summary>True when a token issued at <paramref name="issuedAtSeconds"/> (<c>iat</c>) is older than <paramref name="notBefore"/>.</summary>
    public static bool IssuedBefore(long issuedAtSeconds, DateTimeOffset? notBefore) =>
        notBefore is { } limit && issuedAtSeconds < limit.ToUnixTimeSeconds();

    /// <summary>The principal after a change to <paramref name="updated"/>: a disable raises its not-before time.</summary>
    public static ServicePrincipal OnChange(ServicePrincipal current, ServicePrincipal updated, DateTimeOffset now) =>
        current.Enabled && !updated.Enabled ? updated with { TokensNotBefore = Raise(current.TokensNotBefore, now) } : updated;

    /// <summary>The trust after a change to <paramref name="updated"/>: a disable raises its not-before time.</summary>
    public static Trust OnChange(Trust current, Trust updated, DateTimeOffset now) =>
        current.Enabled && !updated.Enabled ? updated with { TokensNotBefore = Raise(current.TokensNotBefore, now) } : updated;

    /// <summary>The credential revoked at <paramref name="now"/>: revoked, and every token it issued dead.</summary>
    public static Credential Revoke(Credential credential, DateTimeOffset now) =>
        credential with { RevokedAt = now, UpdatedAt = now, TokensNotBefore = Raise(credential.TokensNotBefore, now) };
}
