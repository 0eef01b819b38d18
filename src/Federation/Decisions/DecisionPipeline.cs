using WorkloadFederation.Federation.Exchange;

namespace WorkloadFederation.Federation.Decisions;

/// <summary>One named check of a decision: synchronous, or asynchronous where it waits on a cache or a store.</summary>
/// <typeparam name="TContext">What the run carries from step to step.</typeparam>
public sealed class DecisionStep<TContext>
{
    private readonly Func<TContext, StepOutcome>? _check;
    private readonly Func<TContext, CancellationToken, ValueTask<StepOutcome>>? _checkAsync;

    private DecisionStep(string name, Func<TContext, StepOutcome>? check, Func<TContext, CancellationToken, ValueTask<StepOutcome>>? checkAsync)
    {
        Name = name;
        _check = check;
        _checkAsync = checkAsync;
    }

    /// <summary>The step's name (API.md's test-runner names for the token checks).</summary>
    public string Name { get; }

    /// <summary>A synchronous step.</summary>
    public static DecisionStep<TContext> Of(string name, Func<TContext, StepOutcome> check) =>
        new(name, check ?? throw new ArgumentNullException(nameof(check)), null);

    /// <summary>An asynchronous step.</summary>
    public static DecisionStep<TContext> OfAsync(string name, Func<TContext, CancellationToken, ValueTask<StepOutcome>> check) =>
        new(name, null, check ?? throw new ArgumentNullException(nameof(check)));

    /// <summary>Runs the step.</summary>
    public ValueTask<StepOutcome> RunAsync(TContext context, CancellationToken cancellationToken) =>
        _check is not null ? new ValueTask<StepOutcome>(_check(context)) : _checkAsync!(context, cancellationToken);
}

/// <summary>The outcome of running the steps: every step that ran, and the first failure if any.</summary>
public sealed record PipelineRun(IReadOnlyList<StepOutcome> Steps, StepOutcome? FirstFailure)
{
    /// <summary>True when no step failed.</summary>
    public bool Passed => FirstFailure is null;
}

/// <summary>
/// An ordered list of named steps (STYLE.md "The request path"). A grant stops at the first failure; the trust test
/// runner runs every step and reports each. Both grants and the runner decide through pipelines of this one kind.
/// Immutable and thread-safe.
/// </summary>
/// <typeparam name="TContext">What the run carries from step to step.</typeparam>
public sealed class DecisionPipeline<TContext>
{
    private readonly DecisionStep<TContext>[] _steps;

    /// <summary>Creates the pipeline from its steps, in order.</summary>
    public DecisionPipeline(params DecisionStep<TContext>[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        _steps = [.. steps];
    }

    /// <summary>The step names, in order.</summary>
    public IReadOnlyList<string> StepNames => [.. _steps.Select(s => s.Name)];

    /// <summary>
    /// Runs the steps in order until one fails, and returns that failure (null when every step passed): what a grant
    /// needs, without keeping the outcomes of the steps that passed.
    /// </summary>
    public async ValueTask<StepOutcome?> FirstFailureAsync(TContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var step in _steps)
        {
            var outcome = await step.RunAsync(context, cancellationToken).ConfigureAwait(false);
            if (outcome.Status == StepStatus.Fail)
            {
                return outcome;
            }
        }

        return null;
    }

    /// <summary>Runs the steps in order, stopping at the first failure when <paramref name="stopAtFirstFailure"/>.</summary>
    public async ValueTask<PipelineRun> RunAsync(TContext context, bool stopAtFirstFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outcomes = new List<StepOutcome>(_steps.Length);
        StepOutcome? firstFailure = null;
        foreach (var step in _steps)
        {
            var outcome = await step.RunAsync(context, cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome);
            if (outcome.Status == StepStatus.Fail && firstFailure is null)
            {
                firstFailure = outcome;
                if (stopAtFirstFailure)
                {
                    break;
                }
            }
        }

        return new PipelineRun(outcomes, firstFailure);
    }
}
