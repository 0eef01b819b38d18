namespace WorkloadFederation.Cel.Ast;

/// <summary>Internal function names of CEL operators, as the specification names them.</summary>
internal static class Operators
{
    public const string Conditional = "_?_:_";
    public const string LogicalAnd = "_&&_";
    public const string LogicalOr = "_||_";
    public const string LogicalNot = "!_";
    public const string Equal = "_==_";
    public const string NotEquals = "_!=_";
    public const string Less = "_<_";
    public const string LessEquals = "_<=_";
    public const string Greater = "_>_";
    public const string GreaterEquals = "_>=_";
    public const string Add = "_+_";
    public const string Subtract = "_-_";
    public const string Multiply = "_*_";
    public const string Divide = "_/_";
    public const string Modulo = "_%_";
    public const string Negate = "-_";
    public const string Index = "_[_]";
    public const string OptIndex = "_[?_]";
    public const string In = "@in";

    /// <summary>The operator as written in source, for messages.</summary>
    public static string Display(string name) => name switch
    {
        Conditional => "?:",
        LogicalAnd => "&&",
        LogicalOr => "||",
        LogicalNot => "!",
        Equal => "==",
        NotEquals => "!=",
        Less => "<",
        LessEquals => "<=",
        Greater => ">",
        GreaterEquals => ">=",
        Add => "+",
        Subtract => "-",
        Multiply => "*",
        Divide => "/",
        Modulo => "%",
        Negate => "-",
        Index => "[]",
        OptIndex => "[?]",
        In => "in",
        _ => name,
    };
}
