using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel;

/// <summary>The outcome of one evaluation: a value or an error.</summary>
public readonly struct CelEvalResult
{
    private readonly CelValue _value;

    internal CelEvalResult(CelValue value) => _value = value;

    /// <summary>True when evaluation produced an error instead of a value.</summary>
    public bool IsError => _value is ErrorValue;

    /// <summary>The value (<see cref="CelValue.Null"/> when <see cref="IsError"/>).</summary>
    public CelValue Value => _value is ErrorValue or null ? CelValue.Null : _value;

    /// <summary>The error message when <see cref="IsError"/>, otherwise null.</summary>
    public string? ErrorMessage => (_value as ErrorValue)?.Message;

    /// <summary>True exactly when the result is the bool value true.</summary>
    public bool IsTrue => ReferenceEquals(_value, BoolValue.True);

    /// <inheritdoc/>
    public override string ToString() => IsError ? "error: " + ErrorMessage : Value.ToString();
}
