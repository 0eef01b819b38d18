using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace WorkloadFederation.Cli.Output;

/// <summary>Where the CLI writes: results to standard output (tables via Spectre.Console, or JSON), diagnostics to standard error.</summary>
internal sealed class CliConsole
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public CliConsole(TextWriter output, TextWriter error, bool redirected)
    {
        Out = output;
        Err = error;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (redirected)
        {
            Ansi.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var w) && w is > 40 and < 1000 ? w : 200;
        }
    }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public IAnsiConsole Ansi { get; }

    public static CliConsole CreateDefault() => new(Console.Out, Console.Error, Console.IsOutputRedirected);

    /// <summary>Writes raw JSON, indented.</summary>
    public void Json(JsonElement element) => Out.WriteLine(JsonSerializer.Serialize(element, Indented));

    /// <summary>Serializes a value as indented JSON.</summary>
    public void Json<T>(T value, JsonSerializerOptions? options = null) =>
        Out.WriteLine(JsonSerializer.Serialize(value, options is null ? Indented : new JsonSerializerOptions(options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    /// <summary>A table with plain-text cells (values are never read as markup).</summary>
    public void Table(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in columns)
        {
            table.AddColumn(new TableColumn(new Text(c, new Style(decoration: Decoration.Bold))));
        }

        var any = false;
        foreach (var row in rows)
        {
            any = true;
            table.AddRow(row.Select(v => (IRenderable)new Text(v ?? string.Empty)).ToArray());
        }

        if (!any)
        {
            Ansi.WriteLine("(none)");
            return;
        }

        Ansi.Write(table);
    }

    /// <summary>Key/value lines for one object.</summary>
    public void Properties(IEnumerable<(string Key, string? Value)> properties)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (k, v) in properties)
        {
            grid.AddRow(new Text(k, new Style(decoration: Decoration.Bold)), new Text(v ?? "-"));
        }

        Ansi.Write(grid);
    }

    public void Line(string text = "") => Ansi.WriteLine(text);

    /// <summary>A status line: ✓ / ✗ / ! / · followed by plain text.</summary>
    public void Status(StatusKind kind, string text)
    {
        var (mark, color) = kind switch
        {
            StatusKind.Pass => ("✓", Color.Green),
            StatusKind.Fail => ("✗", Color.Red),
            StatusKind.Warn => ("!", Color.Yellow),
            _ => ("·", Color.Grey),
        };
        Ansi.Write(new Text("  " + mark + " ", new Style(color)));
        Ansi.WriteLine(text);
    }

    public void Heading(string text)
    {
        Ansi.WriteLine();
        Ansi.Write(new Text(text, new Style(decoration: Decoration.Bold)));
        Ansi.WriteLine();
    }

    /// <summary>An error line on standard error: <c>wif: error: ...</c>.</summary>
    public void Error(string message) => Err.WriteLine("wif: error: " + message);

    public void Warning(string message) => Err.WriteLine("wif: warning: " + message);
}

internal enum StatusKind
{
    Pass,
    Fail,
    Warn,
    Info,
}
