namespace WorkloadFederation.Federation.Jwt;

/// <summary>The state of one registered claim read from a payload.</summary>
public enum ClaimReadStatus
{
    /// <summary>The claim is absent.</summary>
    Missing = 0,

    /// <summary>The claim is present and well-formed; <see cref="ClaimRead{T}.Value"/> holds it.</summary>
    Present,

    /// <summary>The claim is present but of the wrong type or out of range; <see cref="ClaimRead{T}.Problem"/> says how.</summary>
    Invalid,
}

/// <summary>A typed claim value, or why there is none. Starts missing; present and invalid are explicit factories.</summary>
public readonly record struct ClaimRead<T>
{
    private ClaimRead(ClaimReadStatus status, T? value, string? problem)
    {
        Status = status;
        Value = value;
        Problem = problem;
    }

    /// <summary>Missing, present or invalid.</summary>
    public ClaimReadStatus Status { get; }

    /// <summary>The value when <see cref="Status"/> is <see cref="ClaimReadStatus.Present"/>.</summary>
    public T? Value { get; }

    /// <summary>A description of the defect when invalid (type and rule, never the value itself).</summary>
    public string? Problem { get; }

    /// <summary>True when present and well-formed.</summary>
    public bool IsPresent => Status == ClaimReadStatus.Present;

    /// <summary>A missing claim.</summary>
    public static ClaimRead<T> Missing() => default;

    /// <summary>A present, well-formed claim.</summary>
    public static ClaimRead<T> Present(T value) => new(ClaimReadStatus.Present, value, null);

    /// <summary>A present claim that breaks its type or range rule.</summary>
    public static ClaimRead<T> Invalid(string problem) => new(ClaimReadStatus.Invalid, default, problem);
}
