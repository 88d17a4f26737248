using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>
/// RFC 6750 §3 responses with RFC 7807 bodies: 401 <c>invalid_token</c> for a bad token (no error code when
/// none was sent) and 403 <c>insufficient_scope</c> naming the scope the endpoint needs.
/// </summary>
internal static class BearerChallenge
{
    /// <summary>
    /// A fixed description per failure. Never the library's message: it can echo attacker-chosen values
    /// (an <c>aud</c> with a line break would otherwise break the response header).
    /// </summary>
    public static string Describe(Exception failure) => failure switch
    {
        AggregateException aggregate when aggregate.InnerExceptions.Count > 0 => Describe(aggregate.InnerExceptions[0]),
        TokenRejectedException rejected => rejected.Message,
        SecurityTokenExpiredException => "The token is expired",
        SecurityTokenNotYetValidException => "The token is not valid yet",
        SecurityTokenNoExpirationException => "The token has no expiration",
        SecurityTokenInvalidLifetimeException => "The token lifetime is invalid",
        SecurityTokenInvalidAudienceException => "The audience is invalid",
        SecurityTokenInvalidIssuerException => "The issuer is invalid",
        SecurityTokenInvalidTypeException => "The token type (typ) is not accepted",
        SecurityTokenInvalidAlgorithmException => "The signing algorithm is not accepted",
        SecurityTokenSignatureKeyNotFoundException => "The signing key is unknown",
        SecurityTokenInvalidSignatureException => "The signature is invalid",
        SecurityTokenMalformedException or ArgumentException or FormatException => "The token is malformed",
        _ => "The token is invalid",
    };

    public static async Task WriteUnauthorizedAsync(HttpContext context, Exception? authenticateFailure)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;

        string? detail = null;
        if (authenticateFailure is { } failure)
        {
            detail = Describe(failure);
            response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{detail}\"";
        }
        else
        {
            // RFC 6750 §3.1: a request without a token gets no error code.
            response.Headers.WWWAuthenticate = "Bearer";
        }

        await WriteProblemAsync(context, StatusCodes.Status401Unauthorized,
            detail ?? "A bearer token is required.", detail is null ? null : "invalid_token");
    }

    public static async Task WriteInsufficientScopeAsync(HttpContext context, IReadOnlyList<string> missingScopes)
    {
        var scopes = string.Join(' ', missingScopes);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_scope\", error_description=\"The token lacks a required scope\", scope=\"{scopes}\"";

        await WriteProblemAsync(context, StatusCodes.Status403Forbidden, $"The token lacks the scope '{scopes}'.", "insufficient_scope");
    }

    /// <summary>The token could not be checked (introspection mode, IdP unreachable): 503 with <c>Retry-After</c>, no challenge.</summary>
    public static async Task WriteIdentityProviderUnavailableAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = ((int)IdentityProviderUnavailableException.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Service Unavailable",
            Type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
            Detail = "The identity provider cannot be reached to check the token; retry after the time in Retry-After.",
        };

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string detail, string? error)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status401Unauthorized ? "Unauthorized" : "Forbidden",
            Type = "https://www.rfc-editor.org/rfc/rfc6750#section-3.1",
            Detail = detail,
        };
        if (error is not null)
        {
            problem.Extensions["error"] = error;
        }

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
