using System.Net;
using System.Text.Json;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Federation.Decisions;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Snapshot;

namespace WorkloadFederation.Federation.TrustTesting;

/// <summary>The outcome of a trust test (API.md <c>POST .../trusts/{tid}/test</c>), before the gateway serialises it.</summary>
/// <param name="Allowed">True when the real exchange would issue a token for this input.</param>
/// <param name="EffectiveRoles">The roles a token of this trust carries (shown even when not allowed).</param>
/// <param name="DecodedClaims">The token's payload or the bare claims (a clone, safe to keep).</param>
/// <param name="Steps">The seven steps in API.md's order.</param>
/// <param name="DenialReason">The reason the exchange would record, when not allowed.</param>
/// <param name="Notes">State of the trust outside the steps (e.g. "the trust is disabled").</param>
public sealed record TrustTestReport(
    bool Allowed,
    IReadOnlyList<string> EffectiveRoles,
    JsonElement? DecodedClaims,
    IReadOnlyList<StepOutcome> Steps,
    string? DenialReason,
    IReadOnlyList<string> Notes)
{
    /// <summary>API.md's response body.</summary>
    public TrustTestResultDto ToDto() => new(
        Allowed,
        EffectiveRoles,
        DecodedClaims,
        Steps.Select(s => new TrustTestStepDto(s.Name, StatusText(s.Status), s.Expected, s.Actual, s.Detail)).ToList());

    private static string StatusText(StepStatus status) => status switch
    {
        StepStatus.Pass => TrustTestStatuses.Pass,
        StepStatus.Skipped => TrustTestStatuses.Skipped,
        _ => TrustTestStatuses.Fail,
    };
}

/// <summary>
/// The trust test runner (DESIGN.md, API.md <c>POST .../trusts/{tid}/test</c>): the exchange's own steps
/// (<see cref="ExchangeSteps.TokenChecks"/>) on a pasted token or bare claims, every step reported, nothing issued, and
/// the exchange's own enabled gates (<see cref="ExchangeSteps.Gates"/>) for the verdict. Allowed exactly when the
/// exchange would issue.
/// </summary>
public sealed class TrustTestRunner
{
    /// <summary>Most top-level members of bare claims accepted.</summary>
    public const int MaxClaims = 256;

    private readonly ExchangeSteps _steps;
    private readonly TimeProvider _time;

    /// <summary>Creates the runner.</summary>
    public TrustTestRunner(ExchangeSteps steps, TimeProvider time)
    {
        _steps = steps ?? throw new ArgumentNullException(nameof(steps));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>
    /// Tests <paramref name="trust"/> with a token or bare claims (exactly one; the admin endpoint validates that and
    /// answers 400 otherwise) and an optional caller address.
    /// </summary>
    public async ValueTask<TrustTestReport> RunAsync(CompiledTrust trust, string? token, JsonElement? claims, IPAddress? clientIp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trust);
        if ((token is null) == (claims is null))
        {
            throw new ArgumentException("give exactly one of a token or bare claims");
        }

        var context = new ExchangeContext(trust, token, claims?.Clone(), clientIp, _time.GetUtcNow(), isTestRun: true);
        var run = await _steps.TokenChecks.RunAsync(context, stopAtFirstFailure: false, cancellationToken).ConfigureAwait(false);

        // The exchange's own enabled gates decide the verdict too; they run before any step there, so their reason wins.
        var gates = await _steps.Gates.RunAsync(context, stopAtFirstFailure: true, cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        string? reason = run.FirstFailure?.Reason;
        if (gates.FirstFailure is { } gate)
        {
            notes.Add($"{gate.Detail}: the exchange refuses it before any step");
            reason = gate.Reason;
        }

        if (run.Steps.Any(s => s.Status == StepStatus.Skipped && s.Name == TrustTestSteps.IpAddressCheck))
        {
            notes.Add("the IP allowlist was not checked: give client_ip to check it");
        }

        var allowed = reason is null;
        return new TrustTestReport(allowed, trust.EffectiveRoles, context.Claims?.Clone(), run.Steps, reason, notes);
    }

    /// <summary>Validates bare claims for the admin endpoint: a JSON object of at most <see cref="MaxClaims"/> members.</summary>
    public static string? CheckBareClaims(JsonElement claims)
    {
        if (claims.ValueKind != JsonValueKind.Object)
        {
            return "claims must be a JSON object";
        }

        var count = claims.EnumerateObject().Count();
        return count > MaxClaims ? $"claims has {count} members; at most {MaxClaims} are allowed" : null;
    }
}
