using WorkloadFederation.Cel.Conformance;

// Runs the CEL conformance suite: dotnet run --project tests/Cel.Conformance -- <file-or-folder>...
// Prints one line per failing case and ends with "N passed, N failed, N skipped"; exits 1 on any failure
// not listed in skips.txt, 2 on bad usage.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: dotnet run --project tests/Cel.Conformance -- <file-or-folder>...");
    return 2;
}

var skipsPath = Path.Combine(AppContext.BaseDirectory, "skips.txt");
var skips = SkipList.Load(skipsPath);
var files = new List<string>();
foreach (var arg in args)
{
    if (Directory.Exists(arg)) files.AddRange(Directory.GetFiles(arg, "*.json").Order(StringComparer.Ordinal));
    else if (File.Exists(arg)) files.Add(arg);
    else
    {
        Console.Error.WriteLine($"not found: {arg}");
        return 2;
    }
}

int passed = 0, failed = 0, skipped = 0;
var perFile = new List<string>();
foreach (var file in files)
{
    var results = ConformanceRunner.RunFile(file, skips);
    int p = 0, f = 0, s = 0;
    foreach (var r in results)
    {
        switch (r.Outcome)
        {
            case CaseOutcome.Passed: p++; break;
            case CaseOutcome.Skipped: s++; break;
            default:
                f++;
                Console.WriteLine($"FAIL {r.File} {r.Section}/{r.Name}: {OneLine(r.Expr)} -> {OneLine(r.Detail)}");
                break;
        }
    }

    perFile.Add($"  {Path.GetFileNameWithoutExtension(file),-16} {p,4} passed {f,4} failed {s,4} skipped");
    passed += p;
    failed += f;
    skipped += s;
}

foreach (var line in perFile) Console.WriteLine(line);
Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
return failed == 0 ? 0 : 1;

static string OneLine(string s)
{
    var t = s.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
    return t.Length > 300 ? t[..300] + "…" : t;
}
