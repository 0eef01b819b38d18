using System.Net;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Audit;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Network;

namespace WorkloadFederation.Federation.Decisions;

/// <summary>
/// The checks both grants share, as steps: an enabled trust, an enabled principal, the caller address inside an
/// allowlist. The exchange, client credentials and the trust test runner run these same functions, so a disabled
/// principal or an allowlist means one thing everywhere.
/// </summary>
public static class GrantGates
{
    /// <summary>Step name of the trust's enabled flag (a decision step, not one of API.md's test-runner steps).</summary>
    public const string TrustEnabled = "trust_enabled";

    /// <summary>Step name of the principal's enabled flag.</summary>
    public const string PrincipalEnabled = "principal_enabled";

    // The grants never show a passed step's detail: skip formatting it on the hot path.
    private const string PassedDetail = "passed";

    /// <summary>DESIGN.md step 2: a disabled trust is refused before any token check.</summary>
    public static StepOutcome CheckTrustEnabled(Trust trust) => trust.Enabled
        ? StepOutcome.Passed(TrustEnabled, PassedDetail)
        : StepOutcome.Failed(TrustEnabled, DenialReasons.TrustDisabled, "the trust is disabled", "enabled", "disabled");

    /// <summary>DESIGN.md step 2 and vocabulary "enabled flag": a disabled principal gets no token by any grant.</summary>
    public static StepOutcome CheckPrincipalEnabled(ServicePrincipal principal) => principal.Enabled
        ? StepOutcome.Passed(PrincipalEnabled, PassedDetail)
        : StepOutcome.Failed(PrincipalEnabled, DenialReasons.SpDisabled, "the service principal is disabled", "enabled", "disabled");

    /// <summary>
    /// DESIGN.md step 7: the caller address (socket address unless from a trusted proxy; resolved by the endpoint)
    /// inside <paramref name="allowlist"/>. A test run without an address skips the check instead of failing it.
    /// </summary>
    public static StepOutcome CheckAddress(IpAllowlist allowlist, IPAddress? clientIp, bool isTestRun, string whose)
    {
        const string Name = TrustTestSteps.IpAddressCheck;
        if (allowlist.AllowsAny)
        {
            return isTestRun
                ? StepOutcome.Passed(Name, $"the {whose} allows any address", "any address", clientIp?.ToString())
                : StepOutcome.Passed(Name, PassedDetail);
        }

        if (!isTestRun && clientIp is not null && allowlist.Contains(clientIp))
        {
            // The request path's pass: nothing is formatted that only a report or a refusal shows.
            return StepOutcome.Passed(Name, PassedDetail);
        }

        var expected = string.Join(", ", allowlist.Entries);
        if (clientIp is null)
        {
            return isTestRun
                ? StepOutcome.Skip(Name, $"no client_ip given; the allowlist is {expected}")
                : StepOutcome.Failed(Name, DenialReasons.IpNotAllowed, "the caller address is unknown", expected, null);
        }

        var actual = clientIp.ToString();
        return allowlist.Contains(clientIp)
            ? StepOutcome.Passed(Name, isTestRun ? $"{actual} is inside the allowlist" : PassedDetail, expected, actual)
            : StepOutcome.Failed(Name, DenialReasons.IpNotAllowed, $"{actual} is not inside the {whose}'s allowlist ({expected})", expected, actual);
    }
}
