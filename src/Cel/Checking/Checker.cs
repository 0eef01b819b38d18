using WorkloadFederation.Cel.Ast;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel.Checking;

/// <summary>
/// The checker's rules: static types of values, operators and functions, and the diagnostics for definite type
/// errors. Types are gradual: <c>dyn</c> is compatible with everything and defers the check to run time.
/// </summary>
internal sealed class Checker(string source, bool checkTypes)
{
    public List<CelDiagnostic> Errors { get; } = [];

    public void Error(int offset, string code, string message, string? hint = null, bool typeError = false)
    {
        if (typeError && !checkTypes) return;
        if (Errors.Count >= 20) return;
        Errors.Add(CelDiagnostic.Create(source, offset, code, message, hint));
    }

    public void ExpectBool(Expr e, CelType type, string op)
    {
        if (type.Kind is CelTypeKind.Bool or CelTypeKind.Dyn) return;
        Error(e.Offset, CelErrorCodes.NoMatchingOverload, $"'{Operators.Display(op)}' needs a bool operand, found {type}", typeError: true);
    }

    /// <summary>Reports an operator applied to two statically known types that no overload accepts (e.g. <c>1 + "a"</c>).</summary>
    public void CheckOperands(int offset, string op, CelType l, CelType r)
    {
        if (l.Kind is CelTypeKind.Dyn || r.Kind is CelTypeKind.Dyn) return;
        if (OperandsAccepted(op, l.Kind, r.Kind)) return;
        var hint = (l.Kind, r.Kind) switch
        {
            (CelTypeKind.Int, CelTypeKind.Uint) or (CelTypeKind.Uint, CelTypeKind.Int) => "convert one side, e.g. uint(x) or int(y); CEL does not mix int and uint in arithmetic",
            (CelTypeKind.Int or CelTypeKind.Uint, CelTypeKind.Double) or (CelTypeKind.Double, CelTypeKind.Int or CelTypeKind.Uint) => "convert one side with double(...)",
            (CelTypeKind.String, _) or (_, CelTypeKind.String) when op == Operators.Add => "convert the other side with string(...)",
            _ => null,
        };
        Error(offset, CelErrorCodes.NoMatchingOverload, $"no matching overload for '{Operators.Display(op)}' applied to ({l}, {r})", hint, typeError: true);
    }

    private static bool OperandsAccepted(string op, CelTypeKind l, CelTypeKind r)
    {
        static bool Numeric(CelTypeKind k) => k is CelTypeKind.Int or CelTypeKind.Uint or CelTypeKind.Double;
        switch (op)
        {
            case Operators.Add:
                return (l == r && l is CelTypeKind.Int or CelTypeKind.Uint or CelTypeKind.Double or CelTypeKind.String
                        or CelTypeKind.Bytes or CelTypeKind.List or CelTypeKind.Duration)
                    || (l, r) is (CelTypeKind.Timestamp, CelTypeKind.Duration) or (CelTypeKind.Duration, CelTypeKind.Timestamp);
            case Operators.Subtract:
                return (l == r && l is CelTypeKind.Int or CelTypeKind.Uint or CelTypeKind.Double or CelTypeKind.Duration or CelTypeKind.Timestamp)
                    || (l, r) is (CelTypeKind.Timestamp, CelTypeKind.Duration);
            case Operators.Multiply or Operators.Divide:
                return l == r && l is CelTypeKind.Int or CelTypeKind.Uint or CelTypeKind.Double;
            case Operators.Modulo:
                return l == r && l is CelTypeKind.Int or CelTypeKind.Uint;
            case Operators.Less or Operators.LessEquals or Operators.Greater or Operators.GreaterEquals:
                return (Numeric(l) && Numeric(r))
                    || (l == r && l is CelTypeKind.Bool or CelTypeKind.String or CelTypeKind.Bytes or CelTypeKind.Timestamp or CelTypeKind.Duration);
            default:
                return true;
        }
    }

    private static readonly Dictionary<string, CelTypeKind[]> StringSignatures = new(StringComparer.Ordinal)
    {
        ["contains"] = [CelTypeKind.String, CelTypeKind.String],
        ["startsWith"] = [CelTypeKind.String, CelTypeKind.String],
        ["endsWith"] = [CelTypeKind.String, CelTypeKind.String],
        ["matches"] = [CelTypeKind.String, CelTypeKind.String],
        ["charAt"] = [CelTypeKind.String, CelTypeKind.Int],
        ["indexOf"] = [CelTypeKind.String, CelTypeKind.String, CelTypeKind.Int],
        ["lastIndexOf"] = [CelTypeKind.String, CelTypeKind.String, CelTypeKind.Int],
        ["lowerAscii"] = [CelTypeKind.String],
        ["upperAscii"] = [CelTypeKind.String],
        ["replace"] = [CelTypeKind.String, CelTypeKind.String, CelTypeKind.String, CelTypeKind.Int],
        ["split"] = [CelTypeKind.String, CelTypeKind.String, CelTypeKind.Int],
        ["substring"] = [CelTypeKind.String, CelTypeKind.Int, CelTypeKind.Int],
        ["trim"] = [CelTypeKind.String],
        ["reverse"] = [CelTypeKind.String],
        ["format"] = [CelTypeKind.String, CelTypeKind.List],
        ["join"] = [CelTypeKind.List, CelTypeKind.String],
    };

    /// <summary>Reports arguments of the string functions whose static type can never match (e.g. <c>claims.sub.startsWith(1)</c>).</summary>
    public void CheckArguments(int offset, string function, IReadOnlyList<CelType> args)
    {
        if (StringSignatures.TryGetValue(function, out var expected))
        {
            for (var i = 0; i < args.Count && i < expected.Length; i++)
            {
                var kind = args[i].Kind;
                if (kind == CelTypeKind.Dyn || kind == expected[i]) continue;
                var what = i == 0 ? "receiver" : $"argument {i}";
                Error(offset, CelErrorCodes.NoMatchingOverload,
                    $"no matching overload for '{function}': {what} has type {args[i]}, expected {Name(expected[i])}",
                    expected[i] == CelTypeKind.String && i > 0 ? "convert it with string(...)" : null, typeError: true);
                return;
            }
        }
        else if (function == "size" && args.Count == 1
            && args[0].Kind is not (CelTypeKind.Dyn or CelTypeKind.String or CelTypeKind.Bytes or CelTypeKind.List or CelTypeKind.Map))
        {
            Error(offset, CelErrorCodes.NoMatchingOverload, $"no matching overload for 'size' on {args[0]}", typeError: true);
        }
    }

    private static string Name(CelTypeKind kind) => kind switch
    {
        CelTypeKind.String => "string",
        CelTypeKind.Int => "int",
        CelTypeKind.List => "list",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static CelType TypeOfValue(CelValue v) => v.Kind switch
    {
        CelValueKind.Null => CelType.Null,
        CelValueKind.Bool => CelType.Bool,
        CelValueKind.Int => CelType.Int,
        CelValueKind.Uint => CelType.Uint,
        CelValueKind.Double => CelType.Double,
        CelValueKind.String => CelType.String,
        CelValueKind.Bytes => CelType.Bytes,
        CelValueKind.Timestamp => CelType.Timestamp,
        CelValueKind.Duration => CelType.Duration,
        CelValueKind.Type => CelType.TypeType,
        _ => CelType.Dyn,
    };

    public static CelType ArithmeticType(string op, CelType l, CelType r)
    {
        if (l.Kind == CelTypeKind.Dyn || r.Kind == CelTypeKind.Dyn) return CelType.Dyn;
        if (op == Operators.Subtract && l.Kind == CelTypeKind.Timestamp && r.Kind == CelTypeKind.Timestamp) return CelType.Duration;
        if (l.Kind == CelTypeKind.Timestamp || r.Kind == CelTypeKind.Timestamp) return CelType.Timestamp;
        return l.Equals(r) ? l : CelType.Dyn;
    }

    public static CelType FunctionType(string name, CelType declared, CelType[] args)
    {
        switch (name)
        {
            case "dyn":
                return CelType.Dyn;
            case "value" or "orValue" when args.Length > 0 && args[0].Kind == CelTypeKind.Optional:
                return args[0].First!;
            case "optional.of" or "optional.ofNonZeroValue" when args.Length == 1:
                return CelType.Optional(args[0]);
            default:
                return declared;
        }
    }
}
