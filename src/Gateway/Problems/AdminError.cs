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
    public static AdminError Validation(string code, string field, string detail, string? limit = null) =>
        new(StatusCodes.Status400BadRequest, code, "The request is invalid.", detail, field, limit);

    public static AdminError Required(string field) =>
        Validation(ProblemCodes.FieldRequired, field, $"'{field}' is required.");

    public static AdminError TooLong(string field, int max, string unit = "characters") =>
        Validation(ProblemCodes.FieldTooLong, field, $"'{field}' exceeds {max} {unit}.", $"{max} {unit}");

    public static AdminError TooMany(string field, int max) =>
        Validation(ProblemCodes.LimitExceeded, field, $"'{field}' has more than {max} entries.", $"{max} entries");

    public static AdminError NotFound(string what) =>
        new(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "Not found.", $"No such {what}.");

    public static AdminError Conflict(string code, string detail, string? field = null) =>
        new(StatusCodes.Status409Conflict, code, "Conflict.", detail, field);

    public static AdminError Unauthenticated(string detail) =>
        new(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthenticated, "Authentication required.", detail);

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

    public static IResult Create(AdminError error, string? instance = null) =>
        Results.Json(ToBody(error, instance), WireJson.Options, ContentType, error.Status);

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
