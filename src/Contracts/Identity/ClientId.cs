using System.Diagnostics.CodeAnalysis;

namespace WorkloadFederation.Contracts.Identity;

/// <summary>What a client id names.</summary>
public enum ClientIdKind
{
    /// <summary>A federation trust: suffix <c>/wfe</c>.</summary>
    Trust,

    /// <summary>A client credential: suffix <c>/spc</c>.</summary>
    Credential,
}

/// <summary>
/// A parsed client id, <c>&lt;word&gt;-&lt;word&gt;-&lt;5 digits&gt;@&lt;tenant domain&gt;/wfe|spc</c> (API.md "Tenancy").
/// Parsing is strict: anything that does not match the form exactly is refused.
/// </summary>
public readonly record struct ClientId(string Value, string Name, string Tenant, ClientIdKind Kind)
{
    public const string TrustSuffix = "/wfe";
    public const string CredentialSuffix = "/spc";
    public const int MaxLength = 300;
    private const int MaxWordLength = 16;

    public override string ToString() => Value;

    /// <summary>Formats a client id from its parts.</summary>
    public static string Format(string name, string tenant, ClientIdKind kind) =>
        $"{name}@{tenant}{(kind == ClientIdKind.Trust ? TrustSuffix : CredentialSuffix)}";

    /// <summary>Parses a client id; false for anything not of the exact form.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out ClientId clientId)
    {
        clientId = default;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        ClientIdKind kind;
        if (value.EndsWith(TrustSuffix, StringComparison.Ordinal))
        {
            kind = ClientIdKind.Trust;
        }
        else if (value.EndsWith(CredentialSuffix, StringComparison.Ordinal))
        {
            kind = ClientIdKind.Credential;
        }
        else
        {
            return false;
        }

        var body = value.AsSpan(0, value.Length - TrustSuffix.Length);
        var at = body.IndexOf('@');
        if (at <= 0 || body[(at + 1)..].Contains('@'))
        {
            return false;
        }

        var name = body[..at];
        var tenant = body[(at + 1)..].ToString();
        if (!IsValidName(name) || !TenantDomain.IsValid(tenant))
        {
            return false;
        }

        clientId = new ClientId(value, name.ToString(), tenant, kind);
        return true;
    }

    /// <summary>True for <c>word-word-ddddd</c> with lower-case ASCII words.</summary>
    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        var first = name.IndexOf('-');
        if (first <= 0)
        {
            return false;
        }

        var rest = name[(first + 1)..];
        var second = rest.IndexOf('-');
        if (second <= 0)
        {
            return false;
        }

        return IsWord(name[..first]) && IsWord(rest[..second]) && IsFiveDigits(rest[(second + 1)..]);
    }

    private static bool IsWord(ReadOnlySpan<char> word)
    {
        if (word.Length is 0 or > MaxWordLength)
        {
            return false;
        }

        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsFiveDigits(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 5)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
