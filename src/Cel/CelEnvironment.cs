using System.Collections.Frozen;
using System.Text;
using WorkloadFederation.Cel.Compilation;
using WorkloadFederation.Cel.Parsing;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel;

/// <summary>
/// Declared variables and limits against which CEL source is compiled. Immutable and thread-safe; build one with
/// <see cref="CreateBuilder"/> and share it.
/// </summary>
public sealed class CelEnvironment
{
    internal CelEnvironment(FrozenDictionary<string, CelType> variables, CelLimits limits, string container)
    {
        Variables = variables;
        Limits = limits;
        Container = container;
    }

    /// <summary>The declared variables and their types.</summary>
    public IReadOnlyDictionary<string, CelType> Variables { get; }

    /// <summary>The limits applied to compilation and evaluation.</summary>
    public CelLimits Limits { get; }

    /// <summary>The container (namespace) used to resolve names, empty for none.</summary>
    public string Container { get; }

    /// <summary>Starts a new environment description.</summary>
    public static CelEnvironmentBuilder CreateBuilder() => new();

    /// <summary>Parses, checks and compiles an expression. Never throws: every problem is a diagnostic.</summary>
    public CelCompileResult Compile(string source) => CompileCore(source, requireBool: false, checkTypes: true);

    /// <summary>
    /// Like <see cref="Compile"/> and additionally refuses an expression whose result type can never be a bool
    /// (the form of trust conditions).
    /// </summary>
    public CelCompileResult CompileCondition(string source) => CompileCore(source, requireBool: true, checkTypes: true);

    /// <summary>Compiles without the static type checks (names and arities are still checked).</summary>
    internal CelCompileResult CompileUnchecked(string source) => CompileCore(source, requireBool: false, checkTypes: false);

    internal CelCompileResult CompileCore(string? source, bool requireBool, bool checkTypes)
    {
        source ??= string.Empty;
        try
        {
            // Limits were validated by the builder (WithLimits refuses invalid ones).
            var byteCount = Encoding.UTF8.GetByteCount(source);
            if (byteCount > Limits.MaxSourceBytes)
            {
                return CelCompileResult.Failed([new CelDiagnostic(
                    CelErrorCodes.SourceTooLarge,
                    $"expression is {byteCount} bytes, more than the {Limits.MaxSourceBytes}-byte limit (MaxSourceBytes)",
                    1, 1, 0, string.Empty, null)]);
            }

            if (source.Trim().Length == 0)
            {
                return CelCompileResult.Failed([CelDiagnostic.Create(source, 0, CelErrorCodes.Syntax, "empty expression")]);
            }

            var (expr, parseError) = Parser.Parse(source, Limits);
            if (parseError is not null) return CelCompileResult.Failed([parseError]);
            var compiler = new Compiler(source, this, checkTypes);
            var (node, type) = compiler.Compile(expr!);
            if (requireBool && compiler.Errors.Count == 0 && type.Kind is not (CelTypeKind.Bool or CelTypeKind.Dyn))
            {
                compiler.Errors.Add(CelDiagnostic.Create(source, 0, CelErrorCodes.NotBool,
                    $"a condition must evaluate to bool, but this expression has type {type}",
                    "compare the value, e.g. claims.environment == \"production\""));
            }

            if (compiler.Errors.Count > 0) return CelCompileResult.Failed(compiler.Errors);
            return CelCompileResult.Succeeded(new CelProgram(node, compiler.LocalCount, type, Limits));
        }
        catch (Exception ex) when (ex is InsufficientExecutionStackException or ParseFailure)
        {
            return CelCompileResult.Failed([new CelDiagnostic(CelErrorCodes.NestingTooDeep, "expression is too complex to compile: " + ex.Message, 1, 1, 0, string.Empty, null)]);
        }
#pragma warning disable CA1031 // The contract is that compiling never throws: an engine fault becomes a diagnostic.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return CelCompileResult.Failed([new CelDiagnostic(CelErrorCodes.Internal, "internal error while compiling: " + ex.GetType().Name, 1, 1, 0, string.Empty, null)]);
        }
    }
}

/// <summary>Collects declarations and limits for a <see cref="CelEnvironment"/>.</summary>
public sealed class CelEnvironmentBuilder
{
    private readonly Dictionary<string, CelType> _variables = new(StringComparer.Ordinal);
    private CelLimits _limits = CelLimits.Default;
    private string _container = string.Empty;

    internal CelEnvironmentBuilder()
    {
    }

    /// <summary>Declares a variable; declaring the same name again replaces its type.</summary>
    public CelEnvironmentBuilder DeclareVariable(string name, CelType type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(type);
        _variables[name] = type;
        return this;
    }

    /// <summary>Sets the limits (default <see cref="CelLimits.Default"/>).</summary>
    public CelEnvironmentBuilder WithLimits(CelLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var problems = limits.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(limits));
        _limits = limits;
        return this;
    }

    /// <summary>Sets the container (namespace) in which names are resolved, e.g. <c>acme.policies</c>.</summary>
    public CelEnvironmentBuilder WithContainer(string container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container.Trim('.');
        return this;
    }

    /// <summary>Builds the immutable environment.</summary>
    public CelEnvironment Build() => new(_variables.ToFrozenDictionary(StringComparer.Ordinal), _limits, _container);
}
