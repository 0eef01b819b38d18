using Microsoft.AspNetCore.Http;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.Admin;

namespace WorkloadFederation.Gateway.Problems;

/// <summary>
/// An admin API failure as a value: status, stable <c>code</c> (<see cref="ProblemCodes"/>), a human detail,
/// and where it applies the offending field and the limit (RFC 9457 extension members).
/// </summary>
public sealed record AdminError(int Status, string Code, string Title, string Detail, string? Field = null, string? Limit = null)
{
    /// <summary>A 400 naming the field (and the limit).</summary>
    public static AdminError Validation(string code, string field, string detail, string? limit = null) =>
        new(StatusCodes.Status400BadRequest, code, "The request is invalid.", detail, field, limit);

    /// <summary>A 400 for a missing required field.</summary>
    public static AdminError Required(string field) =>
        Validation(ProblemCodes.FieldRequired, field, $"'{field}' is required.");

    /// <summary>A 400 for a value longer than its limit.</summary>
    public static AdminError TooLong(string field, int max, string unit = "characters") =>
        Validation(ProblemCodes.FieldTooLong, field, $"'{field}' exceeds {max} {unit}.", $"{max} {unit}");

    /// <summary>A 400 for a list with too many entries.</summary>
    public static AdminError TooMany(string field, int max) =>
        Validation(ProblemCodes.LimitExceeded, field, $"'{field}' has more than {max} entries.", $"{max} entries");

    /// <summary>A 404 (also for another tenant's object).</summary>
    public static AdminError NotFound(string what) =>
        new(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "Not found.", $"No such {what}.");

    /// <summary>A 409.</summary>
    public static AdminError Conflict(string code, string detail, string? field = null) =>
        new(StatusCodes.Status409Conflict, code, "Conflict.", detail, field);

    /// <summary>A 401.</summary>
    public static AdminError Unauthenticated(string detail) =>
        new(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthenticated, "Authentication required.", detail);

    /// <summary>A 403.</summary>
    public static AdminError Forbidden(string detail) =>
        new(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Forbidden.", detail);

    /// <summary>The problem+json result.</summary>
    public IResult ToResult() => ProblemResults.Create(this);
}

/// <summary>Writes RFC 9457 <c>application/problem+json</c> bodies.</summary>
public static class ProblemResults
{
    public const string ContentType = "application/problem+json";

    /// <summary>Problem codes the gateway adds to <see cref="ProblemCodes"/>.</summary>
    public static class Codes
    {
        public const string InternalError = "internal_error";
        public const string PayloadTooLarge = "payload_too_large";
        public const string UnsupportedMediaType = "unsupported_media_type";
        public const string BadRequest = "bad_request";
        public const string MethodNotAllowed = "method_not_allowed";
    }

    /// <summary>The wire body of a problem.</summary>
    public sealed record ProblemBody(string Type, string Title, int Status, string Detail, string Code, string? Field, string? Limit, string? Instance);

    /// <summary>The problem as a minimal API result.</summary>
    public static IResult Create(AdminError error, string? instance = null) =>
        Results.Json(ToBody(error, instance), WireJson.Options, ContentType, error.Status);

    /// <summary>The problem's wire body.</summary>
    public static ProblemBody ToBody(AdminError error, string? instance = null) =>
        new("about:blank", error.Title, error.Status, error.Detail, error.Code, error.Field, error.Limit, instance);

    /// <summary>Writes a problem directly (middleware paths where no endpoint runs).</summary>
    public static Task WriteAsync(HttpContext context, AdminError error)
    {
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = ContentType;
        return System.Text.Json.JsonSerializer.SerializeAsync(
            context.Response.Body, ToBody(error, context.Request.Path), WireJson.Options, context.RequestAborted);
    }
}
