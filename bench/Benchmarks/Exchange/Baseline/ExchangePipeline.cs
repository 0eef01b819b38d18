// Frozen pre-refactor copy for GrantBenchmarks (before/after in one run); not used by the product.
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.Exchange;
using WorkloadFederation.Federation.Model;
namespace WorkloadFederation.Benchmarks.Exchange.Baseline;

/// <summary>The outcome of running the steps: every step that ran, and the first failure if any.</summary>
internal sealed record PipelineRun(IReadOnlyList<StepOutcome> Steps, StepOutcome? FirstFailure)
{
    /// <summary>True when no step failed.</summary>
    public bool Passed => FirstFailure is null;
}

/// <summary>Runs <see cref="ExchangeSteps"/> in API.md's order. The exchange stops at the first failure; the runner does not.</summary>
internal static class ExchangePipeline
{
    /// <summary>Runs the seven steps in order.</summary>
    public static async ValueTask<PipelineRun> RunAsync(ExchangeSteps steps, ExchangeContext context, bool stopAtFirstFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(context);
        var outcomes = new List<StepOutcome>(7);
        StepOutcome? firstFailure = null;

        bool Record(StepOutcome outcome)
        {
            outcomes.Add(outcome);
            if (outcome.Status == StepStatus.Fail && firstFailure is null)
            {
                firstFailure = outcome;
            }

            return firstFailure is null || !stopAtFirstFailure;
        }

        // Order is API.md's test-runner order; each step cites its RFC/DESIGN.md section in ExchangeSteps.
        _ = Record(steps.DecodeJwt(context))
            && Record(steps.MatchIssuer(context))
            && Record(await steps.ValidateSignatureAsync(context, cancellationToken).ConfigureAwait(false))
            && Record(steps.ValidateAudience(context))
            && Record(steps.CheckFreshness(context))
            && Record(steps.EvaluateCondition(context))
            && Record(steps.CheckIpAddress(context));

        return new PipelineRun(outcomes, firstFailure);
    }
}
