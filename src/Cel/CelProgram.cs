using WorkloadFederation.Cel.Compilation;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel;

/// <summary>A compiled CEL expression. Immutable and thread-safe; evaluate it any number of times.</summary>
public sealed class CelProgram
{
    private readonly Node _root;
    private readonly int _locals;
    private readonly long _maxCost;

    internal CelProgram(Node root, int locals, CelType resultType, CelLimits limits)
    {
        _root = root;
        _locals = locals;
        _maxCost = limits.MaxCost;
        ResultType = resultType;
    }

    /// <summary>The statically known result type (<c>dyn</c> when only known at run time).</summary>
    public CelType ResultType { get; }

    /// <summary>
    /// Evaluates against the bindings. Never throws: runtime errors (missing keys, overflow, no matching overload,
    /// cost budget exceeded, a null activation) are returned as an error result.
    /// </summary>
    public CelEvalResult Evaluate(CelActivation activation)
    {
        if (activation is null) return new CelEvalResult(Errors.InvalidArgument("no activation given: bind the variables with CelActivation.Create().Bind(...)"));
        var frame = new Frame
        {
            Activation = activation,
            Locals = _locals == 0 ? null : new CelValue[_locals],
            Remaining = _maxCost,
            Limit = _maxCost,
        };
        CelValue result;
        try
        {
            result = _root.Eval(ref frame);
        }
#pragma warning disable CA1031 // The contract is that evaluation never throws: an engine fault becomes an error value.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new CelEvalResult(Errors.InvalidArgument("evaluation failed: " + ex.GetType().Name));
        }

        if (frame.Exhausted) return new CelEvalResult(frame.CostError);
        return new CelEvalResult(result);
    }
}
