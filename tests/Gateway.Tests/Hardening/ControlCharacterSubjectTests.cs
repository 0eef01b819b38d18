using System.Net;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// A validly signed subject token whose <c>sub</c> holds U+0000 and other control characters, through the real
/// exchange: the token is issued, its decision reaches the audit log (PostgreSQL refuses U+0000 in text, so the store
/// must encode it), and the decisions after it keep reaching the audit log.
/// </summary>
public abstract class ControlCharacterSubjectTests(HostileNodeFixture fixture)
{
    private const string HostileSubject = "repo:acme/app\u0000:ref:\u0001\u001b[31m\u007f\u0085\u2028end";

    [Fact]
    public async Task Exchange_SubjectWithNulAndControlCharacters_IsIssuedAndAuditKeepsFlowing()
    {
        var hostile = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token,
            HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, fixture.Valid(c => c["sub"] = HostileSubject)));
        Assert.True(hostile.Status == HttpStatusCode.OK, hostile.ToString());

        var hostileEvent = await fixture.NextTokenEventAsync(fixture.MainTrustClientId, AuditEventTypes.TokenIssued);
        var recorded = hostileEvent.GetProperty("subject").GetString()!;
        Assert.DoesNotContain('\u0000', recorded);
        Assert.StartsWith("repo:acme/app", recorded, StringComparison.Ordinal);
        Assert.EndsWith("end", recorded, StringComparison.Ordinal);

        // Audit keeps flowing: the next decision (a refusal, so it is told apart from the first) is recorded too.
        var refused = await fixture.Node.Http.PostFormAsync(EndpointPaths.Token,
            HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, fixture.Valid(c => c["repository"] = "acme/other")));
        Assert.True(refused.Status == HttpStatusCode.BadRequest, refused.ToString());
        var next = await fixture.NextTokenEventAsync(fixture.MainTrustClientId, AuditEventTypes.TokenDenied);
        Assert.Equal(DenialReasons.CelConditionNotMet, next.GetProperty("reason").GetString());
    }
}

public sealed class SqliteControlCharacterSubjectTests(HostileNodeFixture fixture)
    : ControlCharacterSubjectTests(fixture), IClassFixture<HostileNodeFixture>;

public sealed class PostgresControlCharacterSubjectTests(PostgresHostileNodeFixture fixture)
    : ControlCharacterSubjectTests(fixture), IClassFixture<PostgresHostileNodeFixture>;
