using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApiDefaults;

/// <summary>The <c>Idempotency-Key</c> header rules (IETF httpapi draft): its form, whose key it is, the answer to a reused key.</summary>
/// <remarks>Each API stores the key with a unique index on (client, key), so the database settles a race.</remarks>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 100;

    /// <summary>Adds a validation error unless <paramref name="key"/> is 1 to <see cref="MaxLength"/> printable ASCII characters.</summary>
    public static void Validate(string? key, IDictionary<string, string[]> errors)
    {
        if (key is not { Length: > 0 and <= MaxLength } || !key.All(c => c is >= ' ' and <= '~'))
        {
            errors[Header] = [$"Required header: 1 to {MaxLength} printable ASCII characters."];
        }
    }

    /// <summary>Keys are scoped per calling client, so two clients can never collide on (or probe) each other's keys.</summary>
    public static string OwnerOf(ClaimsPrincipal user) => user.FindFirstValue("client_id") ?? user.FindFirstValue("azp") ?? "";

    /// <summary>Same key, other body: a client bug, 422.</summary>
    public static ProblemHttpResult Reused() => TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency-Key reused",
        detail: "This Idempotency-Key was already used with a different request body.");
}
