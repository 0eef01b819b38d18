using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Problems;

/// <summary>A parsed body, or the problem that refused it. Starts failed; <see cref="Ok"/> is the success factory.</summary>
public readonly record struct BodyResult<T>(T? Value, AdminError? Error)
    where T : class
{
    /// <summary>A parsed body.</summary>
    public static BodyResult<T> Ok(T value) => new(value, null);

    /// <summary>A refusal.</summary>
    public static BodyResult<T> Fail(AdminError error) => new(null, error);
}

/// <summary>
/// Reads admin API JSON bodies strictly (WireJson.Options: snake_case, unknown members refused, no duplicates)
/// with a size and depth limit. Every refusal is a 400/413/415 problem naming the field or the limit — never an exception.
/// </summary>
public static class JsonBodyReader
{
    private const int MaxEchoedNameLength = 64;

    public static async Task<BodyResult<T>> ReadAsync<T>(
        HttpRequest request,
        RequestLimitOptions limits,
        IReadOnlyCollection<string>? immutableFields = null,
        CancellationToken cancellationToken = default)
        where T : class
    {
        if (!IsJson(request.ContentType))
        {
            return BodyResult<T>.Fail(new AdminError(
                StatusCodes.Status415UnsupportedMediaType, ProblemResults.Codes.UnsupportedMediaType, "Unsupported media type.",
                "The body must be application/json."));
        }

        byte[]? bytes;
        try
        {
            bytes = await ReadBoundedAsync(request.Body, limits.MaxJsonBodyBytes, cancellationToken);
        }
        catch (BadHttpRequestException unreadable)
        {
            return BodyResult<T>.Fail(Unreadable(unreadable.StatusCode, limits.MaxJsonBodyBytes));
        }

        if (bytes is null)
        {
            return BodyResult<T>.Fail(TooLarge(limits.MaxJsonBodyBytes));
        }

        return Parse<T>(bytes, limits.MaxJsonDepth, immutableFields);
    }

    /// <summary>Parses an already-read body (the pure part, unit tested).</summary>
    public static BodyResult<T> Parse<T>(ReadOnlyMemory<byte> bytes, int maxDepth, IReadOnlyCollection<string>? immutableFields = null)
        where T : class
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions
            {
                MaxDepth = maxDepth,
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
                AllowDuplicateProperties = false,
            });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : string.Empty;
            return BodyResult<T>.Fail(AdminError.Validation(
                ProblemCodes.MalformedBody, "$",
                $"The body is not valid JSON, repeats a member or nests deeper than {maxDepth} levels{where}.",
                $"{maxDepth} levels"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return BodyResult<T>.Fail(AdminError.Validation(ProblemCodes.MalformedBody, "$", "The body must be a JSON object."));
            }

            var typeInfo = WireJson.Options.GetTypeInfo(typeof(T));
            foreach (var property in root.EnumerateObject())
            {
                if (immutableFields is not null && immutableFields.Contains(property.Name))
                {
                    return BodyResult<T>.Fail(AdminError.Validation(
                        ProblemCodes.ImmutableField, property.Name, $"'{property.Name}' cannot be changed."));
                }

                if (!HasProperty(typeInfo, property.Name))
                {
                    var name = Truncate(property.Name);
                    return BodyResult<T>.Fail(AdminError.Validation(
                        ProblemCodes.ValidationFailed, name, $"'{name}' is not a field of this request."));
                }
            }

            try
            {
                var value = root.Deserialize<T>(WireJson.Options);
                return value is null
                    ? BodyResult<T>.Fail(AdminError.Validation(ProblemCodes.MalformedBody, "$", "The body must be a JSON object."))
                    : BodyResult<T>.Ok(value);
            }
            catch (JsonException ex)
            {
                var field = FieldFromPath(ex.Path);
                return BodyResult<T>.Fail(AdminError.Validation(
                    ProblemCodes.ValidationFailed, field, $"'{field}' has the wrong type or an invalid value."));
            }
        }
    }

    internal static AdminError TooLarge(int limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ProblemResults.Codes.PayloadTooLarge, "Payload too large.",
            $"The body exceeds {limit} bytes.", "$", $"{limit} bytes");

    /// <summary>The problem for a body the server could not read (broken framing, or over Kestrel's own limit).</summary>
    internal static AdminError Unreadable(int status, int limit) => status == StatusCodes.Status413PayloadTooLarge
        ? TooLarge(limit)
        : new(StatusCodes.Status400BadRequest, ProblemResults.Codes.BadRequest, "Bad request.",
            "The request body could not be read: its framing (chunked transfer coding) is malformed.");

    /// <summary>
    /// Reads at most <paramref name="limit"/> bytes; null when the body is longer. A body that cannot be read because
    /// of the caller's framing — Kestrel reports some chunked-coding errors, such as a chunk size that overflows, as a
    /// plain <see cref="IOException"/> — is a <see cref="BadHttpRequestException"/> (400), never a server fault.
    /// </summary>
    public static async Task<byte[]?> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 16 * 1024));
        try
        {
            return await ReadAllBoundedAsync(body, buffer, limit, cancellationToken);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new BadHttpRequestException("The request body could not be read.", StatusCodes.Status400BadRequest, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<byte[]?> ReadAllBoundedAsync(Stream body, byte[] buffer, int limit, CancellationToken cancellationToken)
    {
        {
            using var collected = new MemoryStream();
            while (true)
            {
                var read = await body.ReadAsync(buffer.AsMemory(0, buffer.Length), cancellationToken);
                if (read == 0)
                {
                    return collected.ToArray();
                }

                if (collected.Length + read > limit)
                {
                    return null;
                }

                collected.Write(buffer, 0, read);
            }
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.MediaType.Value is { } mt && mt.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    private static bool HasProperty(JsonTypeInfo typeInfo, string name)
    {
        foreach (var property in typeInfo.Properties)
        {
            if (string.Equals(property.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "$";
        }

        var trimmed = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        return Truncate(trimmed);
    }

    private static string Truncate(string name) =>
        name.Length <= MaxEchoedNameLength ? name : name[..MaxEchoedNameLength] + "…";
}
