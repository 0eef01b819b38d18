using WorkloadFederation.Cel.Ast;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel.Compilation;

/// <summary>
/// Evaluates the comprehension macros directly with the semantics of their standard expansion
/// (langdef "Macros"): <c>all</c>/<c>exists</c> absorb errors when another element decides, the others are strict.
/// Each iteration is charged against the cost budget.
/// </summary>
internal sealed class ComprehensionNode(MacroKind kind, Node range, int slot1, int slot2, Node? filter, Node body) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var r = range.Eval(ref f);
        if (kind == MacroKind.Bind)
        {
            // An error bound to an unused name does not fail the expression: it surfaces only where read.
            f.Locals![slot1] = r;
            return body.Eval(ref f);
        }

        if (r is ErrorValue) return r;
        switch (kind)
        {
            case MacroKind.OptMap or MacroKind.OptFlatMap:
                {
                    if (r is not OptionalValue o) return Errors.NoSuchOverload(kind == MacroKind.OptMap ? "optMap" : "optFlatMap", r);
                    if (o.Value is null) return o;
                    f.Locals![slot1] = o.Value;
                    var v = body.Eval(ref f);
                    if (v is ErrorValue || kind == MacroKind.OptFlatMap)
                    {
                        return v is ErrorValue or OptionalValue ? v : Errors.NoSuchOverload("optFlatMap", v);
                    }

                    return OptionalValue.Of(v);
                }
        }

        CelValue[]? items = null;
        MapValue? map = null;
        if (r is ListValue l) items = l.Items;
        else if (r is MapValue m) map = m;
        else return Errors.NoSuchOverload(MacroName, r);

        if (!f.Charge(1)) return f.CostError;
        var count = items?.Length ?? map!.Entries.Count;
        List<CelValue>? outList = kind is MacroKind.Map or MacroKind.Filter or MacroKind.TransformList ? new List<CelValue>(count) : null;
        Dictionary<CelValue, CelValue>? outMap = kind is MacroKind.TransformMap or MacroKind.TransformMapEntry
            ? new Dictionary<CelValue, CelValue>(count, MapValue.KeyComparer) : null;
        ErrorValue? pendingError = null;
        var matches = 0;

        var index = 0;
        var enumerator = map?.Entries.GetEnumerator();
        while (true)
        {
            CelValue key;
            CelValue value;
            if (items is not null)
            {
                if (index >= items.Length) break;
                key = IntValue.Of(index);
                value = items[index];
            }
            else
            {
                var e = enumerator!.Value;
                if (!e.MoveNext())
                {
                    break;
                }

                key = e.Current.Key;
                value = e.Current.Value;
                enumerator = e;
            }

            index++;
            if (!f.Charge(1)) return f.CostError;
            if (slot2 >= 0)
            {
                f.Locals![slot1] = key;
                f.Locals[slot2] = value;
            }
            else
            {
                f.Locals![slot1] = items is not null ? value : key;
            }

            var element = items is not null ? value : key;
            switch (kind)
            {
                case MacroKind.All:
                    {
                        var p = body.Eval(ref f);
                        if (p == BoolValue.False) return p;
                        if (p != BoolValue.True) pendingError ??= p as ErrorValue ?? Errors.NoSuchOverload("all", p);
                        break;
                    }

                case MacroKind.Exists:
                    {
                        var p = body.Eval(ref f);
                        if (p == BoolValue.True) return p;
                        if (p != BoolValue.False) pendingError ??= p as ErrorValue ?? Errors.NoSuchOverload("exists", p);
                        break;
                    }

                case MacroKind.ExistsOne:
                    {
                        var p = body.Eval(ref f);
                        if (p == BoolValue.True) matches++;
                        else if (p != BoolValue.False) return p as ErrorValue ?? Errors.NoSuchOverload("exists_one", p);
                        break;
                    }

                case MacroKind.Filter:
                    {
                        var p = filter!.Eval(ref f);
                        if (p == BoolValue.True) outList!.Add(element);
                        else if (p != BoolValue.False) return p as ErrorValue ?? Errors.NoSuchOverload("filter", p);
                        break;
                    }

                case MacroKind.Map or MacroKind.TransformList or MacroKind.TransformMap or MacroKind.TransformMapEntry:
                    {
                        if (filter is not null)
                        {
                            var p = filter.Eval(ref f);
                            if (p == BoolValue.False) break;
                            if (p != BoolValue.True) return p as ErrorValue ?? Errors.NoSuchOverload(MacroName, p);
                        }

                        var v = body.Eval(ref f);
                        if (v is ErrorValue) return v;
                        if (outList is not null)
                        {
                            outList.Add(v);
                        }
                        else if (kind == MacroKind.TransformMap)
                        {
                            outMap![key] = v;
                        }
                        else
                        {
                            if (v is not MapValue entry) return Errors.NoSuchOverload("transformMapEntry", v);
                            foreach (var (ek, ev) in entry.Entries)
                            {
                                if (!outMap!.TryAdd(ek, ev)) return Errors.InvalidArgument("transformMapEntry: duplicate key " + ValueFormatter.ToLiteral(ek));
                            }
                        }

                        break;
                    }
            }
        }

        return kind switch
        {
            MacroKind.All => pendingError ?? (CelValue)BoolValue.True,
            MacroKind.Exists => pendingError ?? (CelValue)BoolValue.False,
            MacroKind.ExistsOne => BoolValue.Of(matches == 1),
            MacroKind.TransformMap or MacroKind.TransformMapEntry => new MapValue(outMap!),
            _ => f.Charge(outList!.Count / 8) ? new ListValue([.. outList]) : f.CostError,
        };
    }

    private string MacroName => kind switch
    {
        MacroKind.All => "all",
        MacroKind.Exists => "exists",
        MacroKind.ExistsOne => "exists_one",
        MacroKind.Map => "map",
        MacroKind.Filter => "filter",
        MacroKind.TransformList => "transformList",
        MacroKind.TransformMap => "transformMap",
        _ => "transformMapEntry",
    };
}
