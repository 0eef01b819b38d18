using System.Text.Json;
using System.Text.Unicode;

namespace WorkloadFederation.Federation.Jwt;

/// <summary>
/// Reads a JSON object strictly: valid UTF-8 without a byte-order mark, RFC 8259 syntax without comments or trailing
/// commas, no member name twice in one object (compared after unescaping), nesting no deeper than a limit.
/// </summary>
internal static class StrictJson
{
    /// <summary>Parses <paramref name="utf8"/> as a JSON object, or returns the reason it is not acceptable.</summary>
    public static JwtFormatError TryParseObject(ReadOnlyMemory<byte> utf8, int maxDepth, string part, out JsonDocument? document)
    {
        document = null;
        var span = utf8.Span;
        if (span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF)
        {
            return new(JwtFormatErrorKind.InvalidJson, $"The {part} starts with a byte-order mark.");
        }

        if (!Utf8.IsValid(span))
        {
            return new(JwtFormatErrorKind.InvalidJson, $"The {part} is not valid UTF-8.");
        }

        // Fast path: the platform parser enforces syntax, depth and unique names (JsonDocumentOptions) in one pass.
        // The slower validation pass runs only to name the exact rule a refused document broke, or when the
        // document contains \u escapes, which the platform parser does not unescape (so a lone surrogate would
        // only surface, as an exception, when a consumer reads the string).
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions
            {
                MaxDepth = maxDepth,
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
                AllowDuplicateProperties = false,
            });
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: the platform's duplicate-name check unescapes names and throws on a lone
            // surrogate escape; the validation pass reports that as invalid JSON.
            var reason = Validate(span, maxDepth, part);
            return reason.IsError ? reason : new(JwtFormatErrorKind.InvalidJson, $"The {part} is not valid JSON.");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            return new(JwtFormatErrorKind.InvalidJson, $"The {part} is not a JSON object.");
        }

        if (span.IndexOf("\\u"u8) >= 0)
        {
            var escapes = Validate(span, maxDepth, part);
            if (escapes.IsError)
            {
                document.Dispose();
                document = null;
                return escapes;
            }
        }

        return default;
    }

    private static JwtFormatError Validate(ReadOnlySpan<byte> span, int maxDepth, string part)
    {
        var reader = new Utf8JsonReader(span, new JsonReaderOptions
        {
            AllowTrailingCommas = false,
            CommentHandling = JsonCommentHandling.Disallow,
            MaxDepth = maxDepth + 1,
        });

        // One name set per open object; null for arrays. Created lazily: most objects are small.
        var scopes = new List<HashSet<string>?>(8);
        try
        {
            if (!reader.Read())
            {
                return new(JwtFormatErrorKind.InvalidJson, $"The {part} is empty.");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return new(JwtFormatErrorKind.InvalidJson, $"The {part} is not a JSON object.");
            }

            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (reader.CurrentDepth + 1 > maxDepth)
                        {
                            return new(JwtFormatErrorKind.TooDeep, $"The {part} nests deeper than the limit of {maxDepth} levels.");
                        }

                        scopes.Add(reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        scopes.RemoveAt(scopes.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var names = scopes[^1]!;
                        if (!names.Add(reader.GetString()!))
                        {
                            return new(JwtFormatErrorKind.DuplicateMember, $"The {part} has a member name that appears twice in one object.");
                        }

                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        // Unescape now so that an invalid escape (a lone surrogate) is refused here, not later when a
                        // consumer reads the value and the platform throws.
                        _ = reader.GetString();
                        break;
                }
            }
            while (reader.Read());

            if (reader.BytesConsumed != span.Length)
            {
                return new(JwtFormatErrorKind.InvalidJson, $"The {part} has content after the JSON object.");
            }
        }
        catch (JsonException)
        {
            return new(JwtFormatErrorKind.InvalidJson, $"The {part} is not valid JSON.");
        }
        catch (InvalidOperationException)
        {
            // GetString on a name with an invalid escape sequence (e.g. a lone surrogate).
            return new(JwtFormatErrorKind.InvalidJson, $"The {part} has an invalid string escape.");
        }

        return default;
    }
}
