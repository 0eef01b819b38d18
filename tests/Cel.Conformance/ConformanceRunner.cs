using System.Globalization;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel.Conformance;

/// <summary>The outcome of one conformance case.</summary>
public enum CaseOutcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One case's result; <see cref="Detail"/> explains a failure or names the skip reason.</summary>
public sealed record CaseResult(string File, string Section, string Name, string Expr, CaseOutcome Outcome, string Detail);

/// <summary>
/// Runs the CEL specification's conformance cases (converted to JSON, format in the suite's README) against this
/// engine. Skips come only from the checked-in skip list.
/// </summary>
public static class ConformanceRunner
{
    /// <summary>Runs every case of one JSON file.</summary>
    public static IReadOnlyList<CaseResult> RunFile(string path, SkipList skips)
    {
        var file = Path.GetFileNameWithoutExtension(path);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        var results = new List<CaseResult>();
        foreach (var test in doc.RootElement.EnumerateArray())
        {
            var section = test.GetProperty("section").GetString()!;
            var name = test.GetProperty("name").GetString()!;
            var expr = test.GetProperty("expr").GetString()!;
            var needsProto = test.TryGetProperty("needs_proto", out var np) && np.GetBoolean();
            var skipReason = skips.Match(file, section, name, needsProto);
            if (skipReason is not null)
            {
                results.Add(new CaseResult(file, section, name, expr, CaseOutcome.Skipped, skipReason));
                continue;
            }

            string? failure;
            try
            {
                failure = RunCase(test, expr);
            }
            catch (Exception ex)
            {
                failure = "runner exception: " + ex.GetType().Name + ": " + ex.Message;
            }

            results.Add(new CaseResult(file, section, name, expr, failure is null ? CaseOutcome.Passed : CaseOutcome.Failed, failure ?? string.Empty));
        }

        return results;
    }

    /// <summary>Runs one case; null when it passes, otherwise "expected ..., got ...".</summary>
    private static string? RunCase(JsonElement test, string expr)
    {
        var builder = CelEnvironment.CreateBuilder();
        if (test.TryGetProperty("container", out var container)) builder.WithContainer(container.GetString() ?? string.Empty);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        if (test.TryGetProperty("type_env", out var typeEnv))
        {
            foreach (var decl in typeEnv.EnumerateArray())
            {
                var declName = decl.GetProperty("name").GetString()!;
                if (decl.TryGetProperty("ident", out var ident))
                {
                    builder.DeclareVariable(declName, ToType(ident.GetProperty("type")));
                    declared.Add(declName);
                }
                else
                {
                    return "the case declares a custom function, which the engine's environment does not offer";
                }
            }
        }

        var activation = CelActivation.Create();
        foreach (var binding in test.GetProperty("bindings").EnumerateObject())
        {
            if (!declared.Contains(binding.Name)) builder.DeclareVariable(binding.Name, CelType.Dyn);
            activation.Bind(binding.Name, ToValue(binding.Value));
        }

        var env = builder.Build();
        var disableCheck = test.GetProperty("disable_check").GetBoolean();
        var compiled = disableCheck ? env.CompileUnchecked(expr) : env.Compile(expr);
        var evalError = test.GetProperty("eval_error").GetBoolean();
        var expected = test.GetProperty("expected");
        var expectedText = evalError ? "error" + (test.TryGetProperty("error_message", out var em) ? $" ({em.GetString()})" : string.Empty) : Describe(expected);
        if (!compiled.Success)
        {
            return $"expected {expectedText}, got compile error: {compiled.Errors[0].Message}";
        }

        if (test.GetProperty("check_only").GetBoolean())
        {
            return "check_only case: type deduction is not compared by this runner";
        }

        var result = compiled.Program!.Evaluate(activation);
        if (evalError)
        {
            return result.IsError ? null : $"expected {expectedText}, got {result.Value}";
        }

        if (result.IsError) return $"expected {expectedText}, got error: {result.ErrorMessage}";
        var want = ToValue(expected);
        return SameValue(want, result.Value) ? null : $"expected {want}, got {result.Value}";
    }

    private static string Describe(JsonElement expected) =>
        expected.ValueKind == JsonValueKind.Null ? "null" : ToValue(expected).ToString();

    /// <summary>Equality for expected results: kinds must match, maps order-agnostic, NaN matches NaN.</summary>
    public static bool SameValue(CelValue want, CelValue got)
    {
        if (want.Kind != got.Kind) return false;
        switch (want)
        {
            case DoubleValue wd:
                var gd = ((DoubleValue)got).Value;
                return (double.IsNaN(wd.Value) && double.IsNaN(gd)) || wd.Value.Equals(gd);
            case ListValue wl:
                var gl = (ListValue)got;
                if (wl.Items.Length != gl.Items.Length) return false;
                for (var i = 0; i < wl.Items.Length; i++)
                {
                    if (!SameValue(wl.Items[i], gl.Items[i])) return false;
                }

                return true;
            case MapValue wm:
                var gm = (MapValue)got;
                if (wm.Entries.Count != gm.Entries.Count) return false;
                foreach (var (k, v) in wm.Entries)
                {
                    var match = gm.Entries.FirstOrDefault(e => e.Key.Kind == k.Kind && ValueOps.Equal(e.Key, k));
                    if (match.Key is null || !SameValue(v, match.Value)) return false;
                }

                return true;
            case OptionalValue wo:
                var go = (OptionalValue)got;
                return wo.Value is null ? go.Value is null : go.Value is not null && SameValue(wo.Value, go.Value);
            default:
                return ValueOps.Equal(want, got);
        }
    }

    /// <summary>Converts a typed JSON value (the suite's "Typed values") to a CEL value.</summary>
    public static CelValue ToValue(JsonElement v)
    {
        var prop = v.EnumerateObject().First();
        var x = prop.Value;
        switch (prop.Name)
        {
            case "null": return CelValue.Null;
            case "bool": return CelValue.FromBool(x.GetBoolean());
            case "int64": return CelValue.FromInt(long.Parse(x.GetString()!, CultureInfo.InvariantCulture));
            case "uint64": return CelValue.FromUint(ulong.Parse(x.GetString()!, CultureInfo.InvariantCulture));
            case "double":
                {
                    var s = x.GetString()!;
                    return CelValue.FromDouble(s switch
                    {
                        "NaN" => double.NaN,
                        "Infinity" => double.PositiveInfinity,
                        "-Infinity" => double.NegativeInfinity,
                        _ => double.Parse(s, CultureInfo.InvariantCulture),
                    });
                }

            case "string": return CelValue.FromString(x.GetString()!);
            case "bytes_b64": return CelValue.FromBytes(Convert.FromBase64String(x.GetString()!));
            case "list": return CelValue.FromList(x.EnumerateArray().Select(ToValue));
            case "map":
                return CelValue.FromMap(x.EnumerateArray().Select(e =>
                    new KeyValuePair<CelValue, CelValue>(ToValue(e.GetProperty("key")), ToValue(e.GetProperty("value")))));
            case "type":
                {
                    var name = x.GetString()!;
                    return TypeValue.ByName.TryGetValue(name, out var t) ? t : throw new NotSupportedException("type value " + name);
                }

            case "timestamp": return Conversions.ToTimestamp(new StringValue(x.GetString()!));
            case "duration": return Conversions.ToDuration(new StringValue(x.GetString()!));
            default: throw new NotSupportedException("typed value kind " + prop.Name);
        }
    }

    /// <summary>Converts a <c>cel.expr.Type</c> object to a declared type.</summary>
    public static CelType ToType(JsonElement t)
    {
        if (!t.EnumerateObject().Any()) return CelType.Dyn;
        var prop = t.EnumerateObject().First();
        var x = prop.Value;
        return prop.Name switch
        {
            "dyn" => CelType.Dyn,
            "null" => CelType.Null,
            "primitive" => x.GetString() switch
            {
                "BOOL" => CelType.Bool,
                "INT64" => CelType.Int,
                "UINT64" => CelType.Uint,
                "DOUBLE" => CelType.Double,
                "STRING" => CelType.String,
                "BYTES" => CelType.Bytes,
                var other => throw new NotSupportedException("primitive " + other),
            },
            "wrapper" => CelType.Dyn,
            "well_known" => x.GetString() switch
            {
                "TIMESTAMP" => CelType.Timestamp,
                "DURATION" => CelType.Duration,
                _ => CelType.Dyn,
            },
            "message_type" => x.GetString() switch
            {
                "google.protobuf.Timestamp" => CelType.Timestamp,
                "google.protobuf.Duration" => CelType.Duration,
                var other => throw new NotSupportedException("message type " + other),
            },
            "list_type" => CelType.List(ToType(x.GetProperty("elem_type"))),
            "map_type" => CelType.Map(ToType(x.GetProperty("key_type")), ToType(x.GetProperty("value_type"))),
            "type" => CelType.TypeType,
            "abstract_type" when x.GetProperty("name").GetString() == "optional_type" =>
                CelType.Optional(ToType(x.GetProperty("parameter_types")[0])),
            _ => CelType.Dyn,
        };
    }
}

/// <summary>
/// The checked-in skip list. One entry per line: <c>file[/section[/name]] | reason</c>, or
/// <c>needs_proto | reason</c> for every case the suite marks as needing protobuf messages. Blank lines and
/// lines starting with '#' are ignored. An entry without a reason is rejected.
/// </summary>
public sealed class SkipList
{
    private readonly List<(string Pattern, string Reason)> _entries = [];

    /// <summary>A list that skips only the cases needing protobuf messages (the 98% target's denominator).</summary>
    public static SkipList Empty { get; } = CreateProtoOnly();

    private static SkipList CreateProtoOnly()
    {
        var list = new SkipList();
        list._entries.Add(("needs_proto", "needs protobuf message types"));
        return list;
    }

    public static SkipList Load(string path)
    {
        var list = new SkipList();
        var lineNo = 0;
        foreach (var raw in File.ReadAllLines(path, Encoding.UTF8))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var bar = line.IndexOf('|');
            if (bar <= 0 || line[(bar + 1)..].Trim().Length == 0)
            {
                throw new FormatException($"{path}:{lineNo}: skip entry needs 'pattern | reason'");
            }

            list._entries.Add((line[..bar].Trim(), line[(bar + 1)..].Trim()));
        }

        return list;
    }

    public string? Match(string file, string section, string name, bool needsProto)
    {
        foreach (var (pattern, reason) in _entries)
        {
            if (pattern == "needs_proto")
            {
                if (needsProto) return reason;
                continue;
            }

            if (pattern == file || pattern == file + "/" + section || pattern == file + "/" + section + "/" + name) return reason;
        }

        return null;
    }
}
