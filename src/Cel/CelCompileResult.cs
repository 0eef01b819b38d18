namespace WorkloadFederation.Cel;

/// <summary>The outcome of compiling CEL source: a program or the compile errors.</summary>
public sealed class CelCompileResult
{
    private CelCompileResult(CelProgram? program, IReadOnlyList<CelDiagnostic> errors)
    {
        Program = program;
        Errors = errors;
    }

    /// <summary>True when <see cref="Program"/> is set and there are no errors.</summary>
    public bool Success => Program is not null;

    /// <summary>The compiled program when compilation succeeded.</summary>
    public CelProgram? Program { get; }

    /// <summary>The compile errors; empty on success.</summary>
    public IReadOnlyList<CelDiagnostic> Errors { get; }

    /// <summary>All errors formatted with position, caret snippet and hint, one block per error.</summary>
    public string FormatErrors() => string.Join("\n", Errors.Select(e => e.ToString()));

    internal static CelCompileResult Failed(IReadOnlyList<CelDiagnostic> errors) => new(null, errors);

    internal static CelCompileResult Succeeded(CelProgram program) => new(program, Array.Empty<CelDiagnostic>());
}
