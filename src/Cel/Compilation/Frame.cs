using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel.Compilation;

/// <summary>Per-evaluation state, passed by reference so that evaluation allocates nothing on its own.</summary>
internal struct Frame
{
    public CelActivation Activation;
    public CelValue[]? Locals;
    public long Remaining;
    public long Limit;
    public bool Exhausted;

    /// <summary>Charges <paramref name="cost"/> against the budget; false (and exhausted for good) when it runs out.</summary>
    public bool Charge(long cost)
    {
        Remaining -= cost;
        if (Remaining >= 0) return true;
        Exhausted = true;
        return false;
    }

    public readonly ErrorValue CostError => Errors.CostExceeded(Limit);
}

/// <summary>A compiled expression node.</summary>
internal abstract class Node
{
    public abstract CelValue Eval(ref Frame f);
}
