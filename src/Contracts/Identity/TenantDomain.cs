namespace WorkloadFederation.Contracts.Identity;

/// <summary>
/// Tenant domains: a bare DNS host name (RFC 1123 labels), lower case, no scheme, port or path.
/// <c>localhost</c> is a valid tenant domain (the dev-mode default tenant).
/// </summary>
public static class TenantDomain
{
    public const int MaxLength = 253;
    private const int MaxLabelLength = 63;

    /// <summary>True when <paramref name="value"/> is a canonical (lower-case) tenant domain.</summary>
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        var labelLength = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '.')
            {
                if (labelLength == 0 || value[i - 1] == '-')
                {
                    return false;
                }

                labelLength = 0;
                continue;
            }

            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (c == '-' && labelLength > 0);
            if (!ok || ++labelLength > MaxLabelLength)
            {
                return false;
            }
        }

        return labelLength > 0 && value[^1] != '-';
    }
}
